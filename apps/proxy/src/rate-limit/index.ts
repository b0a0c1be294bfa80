import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { systemClock, type Clock } from '../clock.ts';
import { CircuitBreaker } from '../resilience/index.ts';
import type { Limiter } from './limiter.ts';
import { MemoryTokenBucket } from './memory-token-bucket.ts';
import { createBucketClient, RedisTokenBucket } from './redis-token-bucket.ts';
import { TokenBucketLimiter } from './token-bucket-limiter.ts';

export type { Decision, Limiter, LimiterMode, RateLimit } from './limiter.ts';
export { MemoryTokenBucket } from './memory-token-bucket.ts';
export { RedisTokenBucket, createBucketClient } from './redis-token-bucket.ts';
export { TokenBucketLimiter, type SharedBucket } from './token-bucket-limiter.ts';

export interface LimiterFactoryOptions {
  /** Unset: buckets live in this process only. */
  redisUrl?: string;
  /** Per take; past it the local bucket answers. */
  redisTimeoutMs: number;
  registry: Registry;
  logger: Logger;
  clock?: Clock;
}

/** Consecutive Redis failures before takes stop trying it, and how often one probe goes through then. */
const BREAKER_FAILURES = 3;
const BREAKER_COOL_DOWN_MS = 1_000;

/**
 * The proxy's limiter. With `redisUrl` it connects in the background
 * (startup never waits for Redis) and uses local buckets until Redis answers.
 */
export function createLimiter(o: LimiterFactoryOptions): Limiter {
  const clock = o.clock ?? systemClock;
  const logger = o.logger.child({ component: 'rate-limit' });
  const local = new MemoryTokenBucket({ clock });
  if (!o.redisUrl) return new TokenBucketLimiter({ local, registry: o.registry, logger });
  const client = createBucketClient(o.redisUrl, 1_000);
  let wasReady = false;
  client.on('ready', () => {
    wasReady = true;
    logger.info('redis connected');
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
  return new TokenBucketLimiter({
    local,
    registry: o.registry,
    logger,
    shared: {
      bucket: new RedisTokenBucket(client),
      breaker,
      timeoutMs: o.redisTimeoutMs,
      // destroy, not close: a graceful close waits for replies a paused Redis never sends.
      close: async () => void (client.isOpen ? client.destroy() : undefined),
    },
  });
}
