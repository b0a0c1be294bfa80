import { Gauge, type Registry } from 'prom-client';
import { HotCounter, type HotChild } from '../observability/index.ts';
import type { LimiterMode } from './limiter.ts';
import type { LeaseTraffic, SharedReply } from './shared-limits.ts';

/** Who decided: Redis (a call), a held lease (no call), the only store (no Redis), or the local fallback. */
export type DecisionStore = 'redis' | 'lease' | 'memory' | 'fallback';
export type RedisErrorKind = 'timeout' | 'error' | 'circuit_open';

/** Rate-limit metrics on the given registry; label children resolved once so a decision only adds. */
export class RateLimitMetrics {
  readonly decisions: Record<DecisionStore, { allowed: HotChild; limited: HotChild }>;
  readonly redisErrors: Record<RedisErrorKind, HotChild>;
  /** Requests a shadow bucket would have refused (they were not refused). */
  readonly shadowRefusals: HotChild;
  /** Admissions decided locally that Redis did not count as admissions: the fleet's over-admission. */
  readonly fallbackAdmitted: HotChild;
  /** Replies that came after the fallback had answered (the deadline was too short for them). */
  readonly lateReplies: HotChild;
  readonly #leaseTokens: { granted: HotChild; returned: HotChild };

  /**
   * `mode` and `deadlineMs` (null: no Redis) are read at scrape time, so
   * the gauges are never out of date. Every counter with a fixed label set
   * has all its series from the start, at 0: a dashboard panel is not empty
   * and `increase()` sees the first event.
   */
  constructor(registry: Registry, mode: () => LimiterMode, deadlineMs: () => number | null) {
    // One per request: hot counters (plain additions, copied into prom-client at scrape).
    const decisions = new HotCounter({
      name: 'routemcp_proxy_ratelimit_decisions_total',
      help: 'Rate-limit decisions by outcome and by the store that made them (lease: from tokens this proxy already holds, no Redis call).',
      labelNames: ['decision', 'store'],
      registry,
    });
    const errors = new HotCounter({
      name: 'routemcp_proxy_ratelimit_redis_errors_total',
      help: 'Calls that did not get an answer from Redis (circuit_open: not even tried).',
      labelNames: ['kind'],
      registry,
    });
    this.fallbackAdmitted = new HotCounter({
      name: 'routemcp_proxy_ratelimit_fallback_admitted_total',
      help: 'Requests the local fallback admitted that Redis did not count as admitted (not sent, failed, or refused in its late reply). Summed over proxies: how far the fleet went past its shared buckets.',
      labelNames: [],
      registry,
    }).child();
    this.lateReplies = new HotCounter({
      name: 'routemcp_proxy_ratelimit_late_replies_total',
      help: 'Redis replies that arrived after the deadline, when the local fallback had answered (reconciled, never counted twice).',
      labelNames: [],
      registry,
    }).child();
    new Gauge({
      name: 'routemcp_proxy_ratelimit_redis_deadline_seconds',
      help: "How long a call waits for Redis before the local buckets answer: Redis's round trips (SRTT + 4·RTTVAR), between REDIS_TIMEOUT_MS and REDIS_TIMEOUT_MAX_MS (0 without Redis).",
      registers: [registry],
      // With PROXY_WORKERS > 1: the longest any worker waits.
      aggregator: 'max',
      collect() {
        this.set((deadlineMs() ?? 0) / 1000);
      },
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
      timeout: errors.child('timeout'),
      error: errors.child('error'),
      circuit_open: errors.child('circuit_open'),
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
