import { LRUCache } from 'lru-cache';
import type { LimitPlan, LimitResult } from './limiter.ts';
import type { MemoryTokenBucket } from './memory-token-bucket.ts';
import type { SharedReply } from './shared-limits.ts';

/** A local decision taken when a call to the store is made, and where this proxy's debits stood then. */
export interface Reservation {
  /** What the local buckets decided (the answer if the store does not answer in time). */
  readonly result: LimitResult;
  /** Per bucket, then the quota: this proxy's running total of local debits, this one included. */
  readonly marks: readonly number[];
}

/**
 * The local buckets as this proxy's picture of the shared ones, so that a
 * fallback never starts from a full bucket and never counts a request twice.
 *
 * Every request sent to the store is also decided and debited locally when
 * it is sent (a reservation). Every reply — in time or late — puts each
 * local bucket at the level the store reports (after that request) minus
 * what this proxy debited locally since that request was sent: those
 * debits are requests the store had not seen when it answered, or
 * fallback admissions it will never see. So the request a reply is about is
 * in the level exactly once (the store's debit), never again locally, and
 * the local level is never above the shared one as this proxy knows it.
 *
 * On one proxy that makes the fallback's answer the store's: the store
 * takes this proxy's calls in the order they were sent (one connection per
 * node, one slot per plan), and the local buckets decided them in the same
 * order from a level no higher than the store's (the store has refilled
 * for longer). With several proxies the local level misses what the others
 * spent since the last reply: that is the bound in docs/design.md.
 */
export class FallbackBuckets {
  readonly #local: MemoryTokenBucket;
  /** Per store key: tokens (or quota units) this proxy ever debited locally, a running total. */
  readonly #debited: LRUCache<string, number>;

  constructor(local: MemoryTokenBucket, maxKeys = 100_000) {
    this.#local = local;
    this.#debited = new LRUCache({ max: maxKeys });
  }

  /** Decides `plan` locally and debits it (nothing when it refuses). */
  reserve(plan: LimitPlan, cost: number): Reservation {
    const result = this.#local.admit(plan, cost);
    const marks: number[] = [];
    for (let i = 0; i < plan.buckets.length; i++) {
      const spent = result.allowed && result.buckets[i]!.allowed ? cost : 0;
      marks.push(this.#debit(plan.buckets[i]!.key, spent));
    }
    if (plan.quota !== null) marks.push(this.#debit(plan.quota.key, result.allowed ? cost : 0));
    return { result, marks };
  }

  /**
   * The store answered the call reserved at `marks`: each local bucket goes
   * to the store's level less what was debited here since.
   */
  sync(plan: LimitPlan, marks: readonly number[], reply: SharedReply): void {
    for (let i = 0; i < plan.buckets.length; i++) {
      const bucket = plan.buckets[i]!;
      const state = reply.buckets[i];
      if (state === undefined) continue;
      this.#local.setLevel(bucket, state.tokens - this.#since(bucket.key, marks[i]!));
    }
    const quota = plan.quota;
    if (quota !== null) {
      const since = this.#since(quota.key, marks[plan.buckets.length]!);
      // Units leased by this reply are spent from the lease, not from the local counter.
      this.#local.setQuota(quota.key, Math.max(0, reply.quotaUsed - reply.quotaGranted) + since, quota.endsAt);
    }
  }

  #debit(key: string, amount: number): number {
    const total = (this.#debited.get(key) ?? 0) + amount;
    if (amount > 0 || this.#debited.has(key)) this.#debited.set(key, total);
    return total;
  }

  /** Debited since `mark`; a total forgotten meanwhile (evicted) counts from zero. */
  #since(key: string, mark: number): number {
    return Math.max(0, (this.#debited.get(key) ?? 0) - mark);
  }
}
