import { randomBytes } from 'node:crypto';
import type { Tracing } from '@routemcp/tracing';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { systemClock, type Clock } from '../clock.ts';
import { CircuitBreaker } from '../resilience/index.ts';
import { FailoverLimiter } from './failover-limiter.ts';
import { LeaseBook } from './lease-book.ts';
import type { Limiter } from './limiter.ts';
import { MemoryTokenBucket } from './memory-token-bucket.ts';
import { createBucketClient, type RedisTarget } from './redis-client.ts';
import { RoundTripDeadline } from '../resilience/index.ts';
import { SharedLimits } from './shared-limits.ts';
import { TracedSharedStore } from './traced-shared-store.ts';

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
export { FailoverLimiter, type SharedStore } from './failover-limiter.ts';
export { KeyPlan, singleBucketPlan, type KeyLimits, type NamedLimit } from './key-plan.ts';
export { LeaseBook } from './lease-book.ts';
export { MAX_SHARE } from './lease.ts';
export { MemoryTokenBucket } from './memory-token-bucket.ts';
export { createBucketClient, type BucketClient, type RedisTarget } from './redis-client.ts';
export { RoundTripDeadline } from '../resilience/index.ts';
export { SharedLimits, type SharedReply } from './shared-limits.ts';
export { CONTENTION_MS } from './take-script.ts';

export interface LimiterFactoryOptions {
  /** Unset: buckets live in this process only. */
  redis?: RedisTarget | undefined;
  /** The Redis deadline's floor (REDIS_TIMEOUT_MS): past the deadline the local bucket answers. */
  redisTimeoutMs: number;
  /** Its cap (REDIS_TIMEOUT_MAX_MS); in between it follows Redis's round trips. */
  redisTimeoutMaxMs?: number;
  /** Token leases on the shared buckets (RATE_LIMIT_LEASES); default on. */
  leases?: boolean;
  registry: Registry;
  logger: Logger;
  clock?: Clock;
  /** When on: each Redis decision made for a request is a span under it. */
  tracing?: Tracing | undefined;
}

/** REDIS_TIMEOUT_MAX_MS's default (config.ts holds the reason). */
const DEFAULT_TIMEOUT_MAX_MS = 1_000;

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
  if (o.redis === undefined) return new FailoverLimiter({ local, registry: o.registry, logger, clock });
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
  const store = new SharedLimits(client, lessee, clock);
  return new FailoverLimiter({
    local,
    registry: o.registry,
    logger,
    clock,
    ...(o.leases === false ? {} : { leases: new LeaseBook({ clock }) }),
    shared: {
      store: o.tracing === undefined ? store : new TracedSharedStore(store, o.tracing),
      breaker,
      deadline: new RoundTripDeadline({
        floorMs: o.redisTimeoutMs,
        capMs: o.redisTimeoutMaxMs ?? DEFAULT_TIMEOUT_MAX_MS,
      }),
      // destroy, not close: a graceful close waits for replies a paused Redis never sends.
      close: async () => void (client.isOpen ? client.destroy() : undefined),
    },
  });
}
