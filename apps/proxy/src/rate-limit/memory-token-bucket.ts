import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock.ts';
import type {
  BucketSpec,
  Decision,
  Limiter,
  LimiterMode,
  LimitPlan,
  LimitResult,
  QuotaState,
  RateLimit,
} from './limiter.ts';
import { headlineOf } from './headline.ts';
import { singleBucketPlan } from './key-plan.ts';
import { refill, resultOf, toDecision, type BucketState } from './token-bucket.ts';

export interface MemoryTokenBucketOptions {
  clock: Clock;
  /** Most buckets (and quota counters) kept; the least recently used go first. */
  maxBuckets?: number;
  /** What `mode()` reports: 'memory' when it is the only store, else the role it plays. */
  mode?: LimiterMode;
}

interface QuotaCounter {
  used: number;
  endsAt: number;
}

const NO_SHADOWS: readonly string[] = Object.freeze([]);

/**
 * Token buckets and quota counters in this process's memory: the whole
 * limiter without Redis, and the fallback while Redis is away. Memory stays
 * bounded: an LRU of at most `maxBuckets`, and a bucket is dropped once it
 * would be full again (then it is indistinguishable from a new one), like
 * the Redis key's PEXPIRE; a quota counter is dropped at its period's end.
 */
export class MemoryTokenBucket implements Limiter {
  readonly #buckets: LRUCache<string, BucketState>;
  readonly #quotas: LRUCache<string, QuotaCounter>;
  readonly #clock: Clock;
  readonly #mode: LimiterMode;

  constructor(options: MemoryTokenBucketOptions) {
    this.#clock = options.clock;
    this.#mode = options.mode ?? 'memory';
    // The LRU judges idleness by our clock, so tests can move time.
    const perf = { now: () => this.#clock.now() };
    this.#buckets = new LRUCache({ max: options.maxBuckets ?? 100_000, ttlResolution: 0, perf });
    this.#quotas = new LRUCache({ max: options.maxBuckets ?? 100_000, ttlResolution: 0, perf });
  }

  take(bucketId: string, limit: RateLimit, cost = 1): Decision {
    return this.admit(singleBucketPlan(bucketId, limit), cost).buckets[0]!;
  }

  /** `take`, typed as always synchronous. */
  takeNow(bucketId: string, limit: RateLimit, cost = 1): Decision {
    return this.take(bucketId, limit, cost);
  }

  /** All buckets (and the quota) must admit; when one refuses, nothing is spent. */
  admit(plan: LimitPlan, cost = 1): LimitResult {
    const now = this.#clock.now();
    const states: BucketState[] = [];
    let bucketsAdmit = true;
    for (const bucket of plan.buckets) {
      const state = this.#buckets.get(bucket.key) ?? { tokens: bucket.limit.capacity, updatedAt: now };
      refill(state, bucket.limit, now);
      states.push(state);
      if (!bucket.shadow && state.tokens < cost) bucketsAdmit = false;
    }
    const counter = plan.quota === null ? null : this.#quota(plan.quota.key, plan.quota.seed, plan.quota.endsAt);
    const quotaAdmits = counter === null || counter.used + cost <= plan.quota!.limit;
    const allowed = bucketsAdmit && quotaAdmits;
    const decisions: Decision[] = [];
    let shadowRefused: string[] | null = null;
    for (let i = 0; i < plan.buckets.length; i++) {
      const bucket = plan.buckets[i]!;
      const state = states[i]!;
      // The bucket's own verdict; when the request is allowed, only a shadow bucket can say no.
      const ok = state.tokens >= cost;
      if (allowed && ok) state.tokens -= cost;
      else if (allowed) (shadowRefused ??= []).push(bucket.name);
      const result = resultOf(bucket.limit, ok, state.tokens, cost);
      decisions.push(toDecision(bucket.limit, ok, state.tokens, result.msToFull, result.msToRetry));
      if (result.msToFull > 0) this.#buckets.set(bucket.key, state, { ttl: result.msToFull });
      else this.#buckets.delete(bucket.key);
    }
    if (allowed && counter !== null) counter.used += cost;
    return {
      allowed,
      refusedBy: allowed ? null : bucketsAdmit ? 'quota' : 'bucket',
      headline: headlineOf(plan, decisions),
      buckets: decisions,
      shadowRefused: shadowRefused ?? NO_SHADOWS,
      quota: counter === null ? null : quotaState(plan.quota!.limit, counter, now),
    };
  }

  /**
   * Puts a bucket at `tokens` now (the fallback following the shared
   * bucket). Below zero is kept: tokens this proxy spent that the shared
   * level did not include yet are owed, and refill pays them back first.
   */
  setLevel(bucket: BucketSpec, tokens: number): void {
    const limit = bucket.limit;
    const state: BucketState = { tokens: Math.min(limit.capacity, tokens), updatedAt: this.#clock.now() };
    const { msToFull } = resultOf(limit, true, state.tokens, 0);
    if (msToFull > 0) this.#buckets.set(bucket.key, state, { ttl: msToFull });
    else this.#buckets.delete(bucket.key);
  }

  /** Puts a quota counter at `used` (the fallback following the shared counter). */
  setQuota(key: string, used: number, endsAt: number): void {
    this.#quota(key, used, endsAt).used = used;
  }

  /** Starts (or raises) a quota counter from what the shared store last said, for the fallback. */
  seedQuota(key: string, used: number, endsAt: number): void {
    const counter = this.#quota(key, used, endsAt);
    if (used > counter.used) counter.used = used;
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
    this.#quotas.clear();
  }

  #quota(key: string, seed: number, endsAt: number): QuotaCounter {
    let counter = this.#quotas.get(key);
    if (counter === undefined) {
      counter = { used: seed, endsAt };
      const ttl = endsAt - this.#clock.now();
      this.#quotas.set(key, counter, Number.isFinite(ttl) && ttl > 0 ? { ttl } : {});
    }
    return counter;
  }
}

export function quotaState(limit: number, counter: { used: number; endsAt: number }, now: number): QuotaState {
  return {
    limit,
    remaining: Math.max(0, limit - counter.used),
    resetSeconds: Number.isFinite(counter.endsAt) ? Math.max(0, Math.ceil((counter.endsAt - now) / 1000)) : null,
  };
}
