import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CircuitBreaker } from '../resilience/circuit-breaker.ts';
import type { Decision, Limiter, LimiterMode, RateLimit } from './limiter.ts';
import type { MemoryTokenBucket } from './memory-token-bucket.ts';
import { RateLimitMetrics } from './rate-limit-metrics.ts';

/** The shared store (RedisTokenBucket): may be slow, may reject. */
export interface SharedBucket {
  take(bucketId: string, limit: RateLimit, cost: number): Promise<Decision>;
  /** Connected and usable right now. */
  readonly ready: boolean;
}

export interface TokenBucketLimiterOptions {
  local: MemoryTokenBucket;
  /** Absent: no Redis configured, the local buckets are the limiter (mode 'memory'). */
  shared?: { bucket: SharedBucket; breaker: CircuitBreaker; timeoutMs: number; close(): Promise<void> };
  /** Where its metrics are registered. */
  registry: Registry;
  logger: Logger;
  /**
   * While in fallback, how often an idle proxy checks whether Redis is back
   * (so `/readyz` and the degraded gauge recover without waiting for traffic).
   */
  probeIntervalMs?: number;
}

/** A bucket no client can name (bucket ids are key ids); costs nothing. */
const PROBE_BUCKET = '\u0000probe';
const PROBE_LIMIT: RateLimit = { capacity: 1, refillPerSecond: 1 };

/**
 * The proxy's limiter. With Redis: each take goes to the shared bucket and
 * gives up after `timeoutMs`; on a timeout or error this instance's local
 * bucket answers instead (fails open to a local limit: never a 429 the local
 * bucket would not give, never a 500). After consecutive failures a breaker
 * skips Redis entirely and lets one probe through per cool-down; the first
 * success puts Redis back in charge. A reply that arrives after we gave up is
 * ignored: Redis has then counted a request the local bucket also counted,
 * which errs on the side of limiting slightly early, never of overrunning.
 */
export class TokenBucketLimiter implements Limiter {
  readonly #options: TokenBucketLimiterOptions;
  readonly #metrics: RateLimitMetrics;
  #failing = false;
  readonly #probeTimer: NodeJS.Timeout | undefined;

  constructor(options: TokenBucketLimiterOptions) {
    this.#options = options;
    this.#metrics = new RateLimitMetrics(options.registry, () => this.mode());
    if (options.shared !== undefined) {
      this.#probeTimer = setInterval(() => void this.#probe(), options.probeIntervalMs ?? 1000);
      this.#probeTimer.unref();
    }
  }

  async take(bucketId: string, limit: RateLimit, cost = 1): Promise<Decision> {
    const { local, shared } = this.#options;
    const metrics = this.#metrics;
    if (shared === undefined) return count(metrics.decisions.memory, local.takeNow(bucketId, limit, cost));
    const decision = await this.#tryShared(bucketId, limit, cost);
    if (decision !== undefined) return count(metrics.decisions.redis, decision);
    return count(metrics.decisions.fallback, local.takeNow(bucketId, limit, cost));
  }

  /** The shared decision through the breaker, or undefined (the caller falls back). */
  async #tryShared(bucketId: string, limit: RateLimit, cost: number): Promise<Decision | undefined> {
    const shared = this.#options.shared!;
    if (!shared.breaker.allow()) {
      this.#metrics.redisErrors.circuit_open.inc();
      return undefined;
    }
    const decision = await this.#takeShared(bucketId, limit, cost);
    if (decision === undefined) {
      shared.breaker.failure();
      this.#failing = true;
    } else {
      shared.breaker.success();
      this.#failing = false;
    }
    return decision;
  }

  async #probe(): Promise<void> {
    if (this.mode() !== 'fallback' || !this.#options.shared!.bucket.ready) return;
    await this.#tryShared(PROBE_BUCKET, PROBE_LIMIT, 0);
  }

  mode(): LimiterMode {
    const shared = this.#options.shared;
    if (shared === undefined) return 'memory';
    return shared.bucket.ready && !this.#failing && shared.breaker.state === 'closed' ? 'redis' : 'fallback';
  }

  async close(): Promise<void> {
    clearInterval(this.#probeTimer);
    await this.#options.shared?.close();
    await this.#options.local.close();
  }

  /** The shared decision, or undefined when Redis failed or was too slow (already counted). */
  #takeShared(bucketId: string, limit: RateLimit, cost: number): Promise<Decision | undefined> {
    const { shared, logger } = this.#options;
    const metrics = this.#metrics;
    return new Promise((resolve) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        metrics.redisErrors.timeout.inc();
        resolve(undefined);
      }, shared!.timeoutMs);
      shared!.bucket.take(bucketId, limit, cost).then(
        (decision) => {
          if (settled) return;
          clearTimeout(timer);
          resolve(decision);
        },
        (error: unknown) => {
          if (settled) return;
          clearTimeout(timer);
          metrics.redisErrors.error.inc();
          logger.debug({ err: error instanceof Error ? error.message : String(error) }, 'redis take failed');
          resolve(undefined);
        },
      );
    });
  }
}

function count(counter: { allowed: { inc(): void }; limited: { inc(): void } }, decision: Decision): Decision {
  (decision.allowed ? counter.allowed : counter.limited).inc();
  return decision;
}
