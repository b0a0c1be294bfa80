import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock.ts';
import type { Decision, Limiter, LimiterMode, RateLimit } from './limiter.ts';
import { takeTokens, toDecision, type BucketState } from './token-bucket.ts';

export interface MemoryTokenBucketOptions {
  clock: Clock;
  /** Most buckets kept; the least recently used go first. */
  maxBuckets?: number;
  /** What `mode()` reports: 'memory' when it is the only store, else the role it plays. */
  mode?: LimiterMode;
}

/**
 * Token buckets in this process's memory. Memory stays bounded: an LRU of at
 * most `maxBuckets`, and a bucket is dropped once it would be full again
 * (then it is indistinguishable from a new one), like the Redis key's PEXPIRE.
 */
export class MemoryTokenBucket implements Limiter {
  readonly #buckets: LRUCache<string, BucketState>;
  readonly #clock: Clock;
  readonly #mode: LimiterMode;

  constructor(options: MemoryTokenBucketOptions) {
    this.#clock = options.clock;
    this.#mode = options.mode ?? 'memory';
    // The LRU judges idleness by our clock, so tests can move time.
    this.#buckets = new LRUCache({
      max: options.maxBuckets ?? 100_000,
      ttlResolution: 0,
      perf: { now: () => this.#clock.now() },
    });
  }

  take(bucketId: string, limit: RateLimit, cost = 1): Decision {
    return this.takeNow(bucketId, limit, cost);
  }

  /** `take`, typed as always synchronous. */
  takeNow(bucketId: string, limit: RateLimit, cost = 1): Decision {
    const now = this.#clock.now();
    let state = this.#buckets.get(bucketId);
    if (state === undefined) state = { tokens: limit.capacity, updatedAt: now };
    const result = takeTokens(state, limit, cost, now);
    if (result.msToFull > 0) this.#buckets.set(bucketId, state, { ttl: result.msToFull });
    else this.#buckets.delete(bucketId);
    return toDecision(limit, result.allowed, result.tokens, result.msToFull, result.msToRetry);
  }

  mode(): LimiterMode {
    return this.#mode;
  }

  /** Buckets currently held (idle ones are not counted once they would be full). */
  get size(): number {
    this.#buckets.purgeStale();
    return this.#buckets.size;
  }

  async close(): Promise<void> {
    this.#buckets.clear();
  }
}
