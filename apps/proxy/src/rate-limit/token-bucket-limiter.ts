import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DeadlineQueue, type CircuitBreaker, type Expirable } from '../resilience/index.ts';
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
 *
 * Without Redis (or with the breaker open) a take is answered synchronously.
 */
export class TokenBucketLimiter implements Limiter {
  readonly #options: TokenBucketLimiterOptions;
  readonly #metrics: RateLimitMetrics;
  readonly #deadlines: DeadlineQueue | undefined;
  #failing = false;
  readonly #probeTimer: NodeJS.Timeout | undefined;

  constructor(options: TokenBucketLimiterOptions) {
    this.#options = options;
    this.#metrics = new RateLimitMetrics(options.registry, () => this.mode());
    if (options.shared !== undefined) {
      this.#deadlines = new DeadlineQueue({ timeoutMs: options.shared.timeoutMs });
      this.#probeTimer = setInterval(() => void this.#probe(), options.probeIntervalMs ?? 1000);
      this.#probeTimer.unref();
    }
  }

  take(bucketId: string, limit: RateLimit, cost = 1): Decision | Promise<Decision> {
    const { local, shared } = this.#options;
    if (shared === undefined) return count(this.#metrics.decisions.memory, local.takeNow(bucketId, limit, cost));
    if (!shared.breaker.allow()) {
      this.#metrics.redisErrors.circuit_open.inc();
      return this.fallback(bucketId, limit, cost);
    }
    return this.#takeShared(bucketId, limit, cost, true);
  }

  #takeShared(bucketId: string, limit: RateLimit, cost: number, counted: boolean): Promise<Decision> {
    return new Promise((resolve) => {
      const take = new SharedTake(this, bucketId, limit, cost, counted, resolve);
      this.#deadlines!.add(take);
      this.#options.shared!.bucket.take(bucketId, limit, cost).then(take.answered, take.failed);
    });
  }

  mode(): LimiterMode {
    const shared = this.#options.shared;
    if (shared === undefined) return 'memory';
    return shared.bucket.ready && !this.#failing && shared.breaker.state === 'closed' ? 'redis' : 'fallback';
  }

  async close(): Promise<void> {
    clearInterval(this.#probeTimer);
    this.#deadlines?.clear();
    await this.#options.shared?.close();
    await this.#options.local.close();
  }

  /** Redis answered in time. */
  succeeded(take: SharedTake, decision: Decision): Decision {
    this.#options.shared!.breaker.success();
    this.#failing = false;
    return take.counted ? count(this.#metrics.decisions.redis, decision) : decision;
  }

  /** Redis failed or was too slow (`kind`): the local bucket answers. */
  failedOver(take: SharedTake, kind: 'timeout' | 'error', error?: unknown): Decision {
    this.#options.shared!.breaker.failure();
    this.#failing = true;
    this.#metrics.redisErrors[kind].inc();
    if (kind === 'error')
      this.#options.logger.debug({ err: error instanceof Error ? error.message : String(error) }, 'redis take failed');
    const decision = this.#options.local.takeNow(take.bucketId, take.limit, take.cost);
    return take.counted ? count(this.#metrics.decisions.fallback, decision) : decision;
  }

  fallback(bucketId: string, limit: RateLimit, cost: number): Decision {
    return count(this.#metrics.decisions.fallback, this.#options.local.takeNow(bucketId, limit, cost));
  }

  /** One uncounted take on a bucket no client can name: its outcome alone closes or re-opens the breaker. */
  async #probe(): Promise<void> {
    const shared = this.#options.shared!;
    if (this.mode() !== 'fallback' || !shared.bucket.ready || !shared.breaker.allow()) return;
    await this.#takeShared(PROBE_BUCKET, PROBE_LIMIT, 0, false);
  }
}

/** One take in flight at Redis: settled by the reply, an error or the shared deadline, whichever comes first. */
class SharedTake implements Expirable {
  settled = false;
  readonly #limiter: TokenBucketLimiter;
  readonly bucketId: string;
  readonly limit: RateLimit;
  readonly cost: number;
  /** False for the breaker's probe: it is not a request, so no decision metric counts it. */
  readonly counted: boolean;
  readonly #resolve: (decision: Decision) => void;

  constructor(
    limiter: TokenBucketLimiter,
    bucketId: string,
    limit: RateLimit,
    cost: number,
    counted: boolean,
    resolve: (decision: Decision) => void,
  ) {
    this.#limiter = limiter;
    this.bucketId = bucketId;
    this.limit = limit;
    this.cost = cost;
    this.counted = counted;
    this.#resolve = resolve;
  }

  readonly answered = (decision: Decision): void => {
    if (this.settled) return;
    this.settled = true;
    this.#resolve(this.#limiter.succeeded(this, decision));
  };

  readonly failed = (error: unknown): void => {
    if (this.settled) return;
    this.settled = true;
    this.#resolve(this.#limiter.failedOver(this, 'error', error));
  };

  expire(): void {
    this.settled = true;
    this.#resolve(this.#limiter.failedOver(this, 'timeout'));
  }
}

function count(counter: { allowed: { inc(): void }; limited: { inc(): void } }, decision: Decision): Decision {
  (decision.allowed ? counter.allowed : counter.limited).inc();
  return decision;
}
