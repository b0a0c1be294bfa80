import { Counter, Gauge, type Registry } from 'prom-client';
import { HotCounter, type HotChild } from '../observability/index.ts';
import type { LimiterMode } from './limiter.ts';
import type { LeaseTraffic, SharedReply } from './shared-limits.ts';

/** Who decided: Redis (a call), a held lease (no call), the only store (no Redis), or the local fallback. */
export type DecisionStore = 'redis' | 'lease' | 'memory' | 'fallback';
export type RedisErrorKind = 'timeout' | 'error' | 'circuit_open';

interface Inc {
  inc(): void;
}

/** Rate-limit metrics on the given registry; label children resolved once so a decision only adds. */
export class RateLimitMetrics {
  readonly decisions: Record<DecisionStore, { allowed: HotChild; limited: HotChild }>;
  readonly redisErrors: Record<RedisErrorKind, Inc>;
  /** Requests a shadow bucket would have refused (they were not refused). */
  readonly shadowRefusals: HotChild;
  readonly #leaseTokens: { granted: HotChild; returned: HotChild };

  /** `mode` is read at scrape time, so the degraded gauge is never out of date. */
  constructor(registry: Registry, mode: () => LimiterMode) {
    // One per request: hot counters (plain additions, copied into prom-client at scrape).
    const decisions = new HotCounter({
      name: 'routemcp_proxy_ratelimit_decisions_total',
      help: 'Rate-limit decisions by outcome and by the store that made them (lease: from tokens this proxy already holds, no Redis call).',
      labelNames: ['decision', 'store'],
      registry,
    });
    const errors = new Counter({
      name: 'routemcp_proxy_ratelimit_redis_errors_total',
      help: 'Calls that did not get an answer from Redis (circuit_open: not even tried).',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.shadowRefusals = new HotCounter({
      name: 'routemcp_proxy_ratelimit_shadow_refusals_total',
      help: 'Requests a shadow bucket would have refused (counted, not refused).',
      labelNames: [],
      registry,
    }).child();
    const leaseTokens = new HotCounter({
      name: 'routemcp_proxy_ratelimit_lease_tokens_total',
      help: 'Tokens leased from Redis beyond the requests that asked (granted) and unused tokens given back (returned).',
      labelNames: ['direction'],
      registry,
    });
    this.#leaseTokens = { granted: leaseTokens.child('granted'), returned: leaseTokens.child('returned') };
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
    this.decisions = {
      redis: byStore('redis'),
      lease: byStore('lease'),
      memory: byStore('memory'),
      fallback: byStore('fallback'),
    };
    this.redisErrors = {
      timeout: errors.labels('timeout'),
      error: errors.labels('error'),
      circuit_open: errors.labels('circuit_open'),
    };
  }

  leased(reply: SharedReply): void {
    let granted = reply.quotaGranted;
    for (const bucket of reply.buckets) granted += bucket.granted;
    if (granted > 0) this.#leaseTokens.granted.inc(granted);
  }

  gaveBack(traffic: LeaseTraffic): void {
    let back = traffic.quotaBack;
    for (const tokens of traffic.back) back += tokens;
    if (back > 0) this.#leaseTokens.returned.inc(back);
  }
}
