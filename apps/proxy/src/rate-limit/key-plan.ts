import { quotaPeriodEnd, quotaPeriodStart, type QuotaPeriod } from '@routemcp/internal-api';
import type { BucketSpec, LimitPlan, RateLimit } from './limiter.ts';
import { bucketKey, quotaKey, slotTag } from './store-keys.ts';

/** A named bucket of a key, as the keystore sends it. */
export interface NamedLimit extends RateLimit {
  name: string;
  /** The owner's bucket (every key of the owner spends it). */
  shared: boolean;
  shadow: boolean;
}

/** What limits one key, as its record says. */
export interface KeyLimits {
  id: string;
  ownerId: string | null;
  /** The one-bucket shorthand (or the environment's default): used when `rateLimits` is null. */
  rateLimit: RateLimit;
  rateLimits: readonly NamedLimit[] | null;
  quota: {
    limit: number;
    period: QuotaPeriod;
    shared: boolean;
    /** Admitted in the period starting at `periodStart` (epoch ms), as the keystore counted it. */
    used: number;
    periodStart: number;
  } | null;
}

/**
 * A key's limit plan: its buckets (store keys made once) and, per quota
 * period, its quota counter. The only place a key's limits become store
 * key names.
 */
export class KeyPlan {
  readonly buckets: readonly BucketSpec[];
  readonly #limits: KeyLimits;
  readonly #tag: string;
  #plan: LimitPlan | null = null;
  #planUntil = 0;

  constructor(limits: KeyLimits) {
    this.#limits = limits;
    const { id, ownerId } = limits;
    this.#tag = slotTag(id, ownerId);
    this.buckets =
      limits.rateLimits === null
        ? [{ key: bucketKey(this.#tag, 'key', id, 'default'), name: 'default', limit: limits.rateLimit, shadow: false }]
        : limits.rateLimits.map((bucket) => ({
            key: bucketKey(this.#tag, bucket.shared && ownerId !== null ? 'owner' : 'key', id, bucket.name),
            name: bucket.name,
            limit: { capacity: bucket.capacity, refillPerSecond: bucket.refillPerSecond },
            shadow: bucket.shadow,
          }));
  }

  /** The buckets and the quota for a request at `now` (a new quota period starts a new counter). */
  at(now: number): LimitPlan {
    if (this.#plan !== null && now < this.#planUntil) return this.#plan;
    const { id, ownerId, quota } = this.#limits;
    if (quota === null) {
      this.#plan = { id, buckets: this.buckets, quota: null };
      this.#planUntil = Number.POSITIVE_INFINITY;
      return this.#plan;
    }
    const start = quotaPeriodStart(quota.period, now);
    const end = quotaPeriodEnd(quota.period, now) ?? Number.POSITIVE_INFINITY;
    this.#plan = {
      id,
      buckets: this.buckets,
      quota: {
        key: quotaKey(this.#tag, quota.shared && ownerId !== null ? 'owner' : 'key', id, start),
        limit: quota.limit,
        endsAt: end,
        // The keystore's count is about the period it names; a period it did not see yet starts at 0.
        seed: quota.periodStart === start ? quota.used : 0,
      },
    };
    this.#planUntil = end;
    return this.#plan;
  }
}

/** One bucket named `default`, keyed by `bucketId` alone (the `take` shorthand). */
export function singleBucketPlan(bucketId: string, limit: RateLimit): LimitPlan {
  return new KeyPlan({ id: bucketId, ownerId: null, rateLimit: limit, rateLimits: null, quota: null }).at(0);
}
