import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { systemClock, type Clock } from '../clock.ts';
import { CircuitBreaker } from '../resilience/index.ts';
import { LeaseBook } from './leases.ts';
import type { Limiter } from './limiter.ts';
import { MemoryTokenBucket } from './memory-token-bucket.ts';
import { createBucketClient, type RedisTarget } from './redis-client.ts';
import { SharedLimits } from './shared-limits.ts';
import { TokenBucketLimiter } from './token-bucket-limiter.ts';

export type {
  BucketSpec,
  Decision,
  Limiter,
  LimiterMode,
  LimitPlan,
  LimitResult,
  QuotaSpec,
  QuotaState,
  RateLimit,
} from './limiter.ts';
export { LeaseBook, MAX_SHARE } from './leases.ts';
export { MemoryTokenBucket } from './memory-token-bucket.ts';
export { bucketKey, periodOf, quotaKey, singleBucketPlan, slotTag, type QuotaPeriod } from './plan.ts';
export { createBucketClient, type BucketClient, type RedisTarget } from './redis-client.ts';
export { SharedLimits, type SharedReply } from './shared-limits.ts';
export { CONTENTION_MS } from './take-script.ts';
export { TokenBucketLimiter, type SharedStore } from './token-bucket-limiter.ts';

export interface LimiterFactoryOptions {
  /** Unset: buckets live in this process only. */
  redis?: RedisTarget | undefined;
  /** Per call; past it the local bucket answers. */
  redisTimeoutMs: number;
  /** Token leases on the shared buckets (RATE_LIMIT_LEASES); default on. */
  leases?: boolean;
  registry: Registry;
  logger: Logger;
  clock?: Clock;
}

/** Consecutive Redis failures before calls stop trying it, and how often one probe goes through then. */
const BREAKER_FAILURES = 3;
const BREAKER_COOL_DOWN_MS = 1_000;

/**
 * The proxy's limiter. With a Redis target it connects in the background
 * (startup never waits for Redis) and uses local buckets until Redis answers.
 */
export function createLimiter(o: LimiterFactoryOptions): Limiter {
  const clock = o.clock ?? systemClock;
  const logger = o.logger.child({ component: 'rate-limit' });
  const local = new MemoryTokenBucket({ clock });
  if (o.redis === undefined) return new TokenBucketLimiter({ local, registry: o.registry, logger });
  const client = createBucketClient(o.redis, 1_000);
  let wasReady = false;
  client.on('ready', () => {
    wasReady = true;
    logger.info({ redis: o.redis!.kind }, 'redis connected');
  });
  client.on('error', (error: unknown) => {
    // node-redis reports every failed reconnect; say it once per outage.
    if (wasReady) logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'redis connection lost');
    wasReady = false;
  });
  client.connect().catch(() => undefined);
  const breaker = new CircuitBreaker({
    failureThreshold: BREAKER_FAILURES,
    coolDownMs: BREAKER_COOL_DOWN_MS,
    clock,
    onStateChange: (state) =>
      state === 'open'
        ? logger.warn('redis rate limiting degraded: local buckets answer')
        : logger.info({ state }, 'redis rate limiting breaker'),
  });
  // This process as a lessee: another one calling a bucket makes it contended (no leases then).
  const lessee = randomBytes(8).toString('base64url');
  return new TokenBucketLimiter({
    local,
    registry: o.registry,
    logger,
    ...(o.leases === false ? {} : { leases: new LeaseBook({ clock }) }),
    shared: {
      store: new SharedLimits(client, lessee),
      breaker,
      timeoutMs: o.redisTimeoutMs,
      // destroy, not close: a graceful close waits for replies a paused Redis never sends.
      close: async () => void (client.isOpen ? client.destroy() : undefined),
    },
  });
}
