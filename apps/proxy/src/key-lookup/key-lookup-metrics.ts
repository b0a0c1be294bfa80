import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { KEY_EVENT_TYPES } from '@routemcp/internal-api';
import { HotCounter } from '../observability/index.ts';

export type CacheResult = 'hit' | 'miss' | 'negative_hit' | 'stale' | 'coalesced';
export type KeystoreResult = 'found' | 'not_found' | 'error' | 'circuit_open';

/**
 * The key-lookup metrics, registered on the registry it is given. Children
 * for every fixed label value are resolved once so the hot path only does
 * `inc()`. No label ever carries key material.
 */
export class KeyLookupMetrics {
  readonly cache: Record<CacheResult, { inc(): void }>;
  readonly keystore: Record<KeystoreResult, { inc(by?: number): void }>;
  readonly keystoreDuration: Histogram;
  readonly events: Counter<'type'>;
  readonly streamConnected: Gauge;
  /** Per keystore replica (its index in KEYSTORE_URL: bounded, and never a URL). */
  readonly replicaRequests: Counter<'replica' | 'result'>;
  readonly replicaCircuitOpen: Gauge<'replica'>;

  constructor(registry: Registry) {
    // One per request: a hot counter (plain additions, copied into prom-client at scrape).
    const cache = new HotCounter({
      name: 'routemcp_proxy_cache_lookups_total',
      help: 'Key cache lookups by result.',
      labelNames: ['result'],
      registry,
    });
    const keystore = new Counter({
      name: 'routemcp_proxy_keystore_requests_total',
      help: 'Keystore lookups by result (circuit_open: refused without a call).',
      labelNames: ['result'],
      registers: [registry],
    });
    this.keystoreDuration = new Histogram({
      name: 'routemcp_proxy_keystore_duration_seconds',
      help: 'Keystore lookup latency.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    this.events = new Counter({
      name: 'routemcp_proxy_key_events_total',
      help: 'Key change events received (hello, reset, and each key event type).',
      labelNames: ['type'],
      registers: [registry],
    });
    this.streamConnected = new Gauge({
      name: 'routemcp_proxy_event_stream_connected',
      help: '1 while the keystore change-event stream is connected.',
      registers: [registry],
      // With PROXY_WORKERS > 1: 1 only while every worker's stream is connected.
      aggregator: 'min',
    });
    this.replicaRequests = new Counter({
      name: 'routemcp_proxy_keystore_replica_requests_total',
      help: 'Keystore lookups per replica (index in KEYSTORE_URL): answered, or failed and passed to the next.',
      labelNames: ['replica', 'result'],
      registers: [registry],
    });
    this.replicaCircuitOpen = new Gauge({
      name: 'routemcp_proxy_keystore_replica_circuit_open',
      help: '1 while lookups skip this keystore replica (index in KEYSTORE_URL): its circuit breaker is open.',
      labelNames: ['replica'],
      registers: [registry],
      // With PROXY_WORKERS > 1: 1 while any worker skips it.
      aggregator: 'max',
    });
    this.cache = {
      hit: cache.child('hit'),
      miss: cache.child('miss'),
      negative_hit: cache.child('negative_hit'),
      stale: cache.child('stale'),
      coalesced: cache.child('coalesced'),
    };
    this.keystore = {
      found: keystore.labels('found'),
      not_found: keystore.labels('not_found'),
      error: keystore.labels('error'),
      circuit_open: keystore.labels('circuit_open'),
    };
    // Every series with a known label from the start, at 0: a dashboard panel is not empty and increase()
    // sees the first event.
    for (const child of Object.values(this.keystore)) child.inc(0);
    for (const type of ['hello', 'reset', 'malformed', ...KEY_EVENT_TYPES]) this.events.labels(type).inc(0);
    this.streamConnected.set(0);
  }
}
