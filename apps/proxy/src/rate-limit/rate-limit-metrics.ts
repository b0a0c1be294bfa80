import { Counter, Gauge, type Registry } from 'prom-client';
import { HotCounter } from '../observability/index.ts';
import type { LimiterMode } from './limiter.ts';

export type DecisionStore = 'redis' | 'memory' | 'fallback';
export type RedisErrorKind = 'timeout' | 'error' | 'circuit_open';

interface Inc {
  inc(): void;
}

/** Rate-limit metrics on the given registry; label children resolved once so a take only does `inc()`. */
export class RateLimitMetrics {
  readonly decisions: Record<DecisionStore, { allowed: Inc; limited: Inc }>;
  readonly redisErrors: Record<RedisErrorKind, Inc>;

  /** `mode` is read at scrape time, so the degraded gauge is never out of date. */
  constructor(registry: Registry, mode: () => LimiterMode) {
    // One per request: a hot counter (plain additions, copied into prom-client at scrape).
    const decisions = new HotCounter({
      name: 'routemcp_proxy_ratelimit_decisions_total',
      help: 'Rate-limit decisions by outcome and by the store that made them.',
      labelNames: ['decision', 'store'],
      registry,
    });
    const errors = new Counter({
      name: 'routemcp_proxy_ratelimit_redis_errors_total',
      help: 'Takes that did not get an answer from Redis (circuit_open: not even tried).',
      labelNames: ['kind'],
      registers: [registry],
    });
    new Gauge({
      name: 'routemcp_proxy_ratelimit_degraded',
      help: '1 while Redis is configured but decisions come from local buckets.',
      registers: [registry],
      // With PROXY_WORKERS > 1: 1 while any worker is degraded.
      aggregator: 'max',
      collect() {
        this.set(mode() === 'fallback' ? 1 : 0);
      },
    });
    const byStore = (store: DecisionStore) => ({
      allowed: decisions.child('allowed', store),
      limited: decisions.child('limited', store),
    });
    this.decisions = { redis: byStore('redis'), memory: byStore('memory'), fallback: byStore('fallback') };
    this.redisErrors = {
      timeout: errors.labels('timeout'),
      error: errors.labels('error'),
      circuit_open: errors.labels('circuit_open'),
    };
  }
}
