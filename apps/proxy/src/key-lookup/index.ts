import type { Tracing } from '@routemcp/tracing';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { systemClock, type Clock } from '../clock.ts';
import { CachingKeyVerifier } from './caching-key-verifier.ts';
import { FailoverKeystoreClient } from './failover-keystore-client.ts';
import { HttpKeystoreClient } from './http-keystore-client.ts';
import { KeyEventStream } from './key-event-stream.ts';
import { KeyLookupMetrics } from './key-lookup-metrics.ts';
import { KeystoreReplicas } from './keystore-replicas.ts';
import type { KeyVerifier } from './key-verifier.ts';

export type {
  KeyChangeListener,
  KeyQuota,
  KeyRecord,
  KeyVerifier,
  NamedRateLimit,
  Verdict,
  VerifierHealth,
} from './key-verifier.ts';
export { CachingKeyVerifier, type CachingKeyVerifierOptions, type ChangeFeed } from './caching-key-verifier.ts';
export { CircuitBreaker, type BreakerState, type CircuitBreakerOptions } from '../resilience/index.ts';
export { FailoverKeystoreClient } from './failover-keystore-client.ts';
export { HttpKeystoreClient } from './http-keystore-client.ts';
export { KeyEventStream } from './key-event-stream.ts';
export { KeyLookupMetrics } from './key-lookup-metrics.ts';
export type { KeyStatus, KeystoreClient, LookupResult } from './keystore-client.ts';
export { KeystoreReplicas, type KeystoreReplica, type ReplicaOutcome } from './keystore-replicas.ts';

export interface KeyVerifierFactoryOptions {
  /** One URL (a Service in front of the replicas), or the replicas' URLs (KEYSTORE_URL's list). */
  keystoreUrl: string | readonly string[];
  serviceToken: string;
  cacheMaxKeys: number;
  cacheTtlMs: number;
  negativeTtlMs: number;
  staleIfErrorMs: number;
  keystoreTimeoutMs: number;
  /** Absent: lookups wait `keystoreTimeoutMs`, fixed. */
  keystoreTimeoutMaxMs?: number;
  registry: Registry;
  logger: Logger;
  clock?: Clock;
  /** When on: each keystore lookup made for a request is a span under it, continued by the keystore. */
  tracing?: Tracing | undefined;
}

/** Consecutive failures of one keystore replica before lookups skip it, and for how long before one probe. */
export const REPLICA_BREAKER = { failureThreshold: 5, coolDownMs: 2_000 } as const;

/**
 * The proxy's key verifier: cached keystore lookups kept current by the
 * keystore's change events. Lookups and the event stream each fail over
 * between the replicas on their own (docs/internal-api.md, "Several
 * keystores").
 */
export function createKeyVerifier(o: KeyVerifierFactoryOptions): KeyVerifier {
  const clock = o.clock ?? systemClock;
  const logger = o.logger.child({ component: 'key-lookup' });
  const metrics = new KeyLookupMetrics(o.registry);
  const urls = typeof o.keystoreUrl === 'string' ? [o.keystoreUrl] : o.keystoreUrl;
  const replicas = new KeystoreReplicas({
    urls,
    clock,
    ...REPLICA_BREAKER,
    onStateChange: (replica, state) => {
      metrics.replicaCircuitOpen.labels(String(replica.index)).set(state === 'closed' ? 0 : 1);
      logger.warn({ replica: replica.index, host: replica.host, state }, 'keystore circuit breaker');
    },
  });
  for (const replica of replicas.replicas) metrics.replicaCircuitOpen.labels(String(replica.index)).set(0);
  const attempts = replicas.replicas.map((replica) => ({
    answered: metrics.replicaRequests.labels(String(replica.index), 'answered'),
    failed: metrics.replicaRequests.labels(String(replica.index), 'failed'),
  }));
  // Every replica's series from the start, at 0: increase() then sees the first failure.
  for (const attempt of attempts) for (const child of [attempt.answered, attempt.failed]) child.inc(0);
  const keystore = new FailoverKeystoreClient({
    replicas,
    clients: urls.map(
      (url) =>
        new HttpKeystoreClient({
          keystoreUrl: url,
          serviceToken: o.serviceToken,
          timeoutMs: o.keystoreTimeoutMs,
          timeoutMaxMs: o.keystoreTimeoutMaxMs,
          tracing: o.tracing,
        }),
    ),
    onAttempt: (index, outcome) => attempts[index]![outcome].inc(),
  });
  return new CachingKeyVerifier({
    keystore,
    metrics,
    clock,
    cacheMaxKeys: o.cacheMaxKeys,
    cacheTtlMs: o.cacheTtlMs,
    negativeTtlMs: o.negativeTtlMs,
    staleIfErrorMs: o.staleIfErrorMs,
    changeFeed: (verifier) =>
      new KeyEventStream({
        keystoreUrls: urls,
        serviceToken: o.serviceToken,
        logger,
        handlers: {
          // A new key only invalidates an earlier "unknown"; nothing positive can be cached for it yet
          // except its own first lookup, which is correct and worth keeping.
          evict: (keyHash, type) => (type === 'created' ? verifier.forgetUnknown(keyHash) : verifier.evict(keyHash)),
          flush: (reason) => {
            logger.info({ reason }, 'key cache flushed');
            verifier.flush();
          },
          connection: (connected) => {
            metrics.streamConnected.set(connected ? 1 : 0);
            verifier.eventsConnection(connected);
          },
          received: (type) => metrics.events.labels(type).inc(),
        },
      }),
  });
}
