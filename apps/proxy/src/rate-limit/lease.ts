import type { LimitPlan } from './limiter.ts';

/**
 * The most one proxy may hold of a bucket (and of a quota): a sixteenth of
 * its capacity. Small enough that tokens stranded in one proxy's lease are a
 * small share of any bucket (and they go back within the lease's TTL),
 * large enough that a bucket sized for a hot key's rate is refilled far
 * more often than it is leased.
 */
export const MAX_SHARE = 1 / 16;
const RATE_TAU_MS = 1_000;

/** What this proxy holds of one plan. */
export class Lease {
  plan: LimitPlan;
  /** Tokens held per bucket, debited in the store, not yet spent. */
  held: number[];
  /** The store's tokens per bucket at the last call, and when (our clock). */
  syncTokens: number[];
  syncAt = 0;
  quotaHeld = 0;
  /** The store's quota counter at the last call (leased units included). */
  quotaUsed = 0;
  /** Held tokens may be spent until then; afterwards they go back. */
  expiresAt = 0;
  /** Wants of calls in flight, so concurrent calls do not each lease a full window. */
  inflight: number[];
  quotaInflight = 0;
  /**
   * A call asking for a lease is in flight: requests arriving meanwhile wait
   * for it and spend what it brings, instead of each asking Redis on its own
   * (which would leave the granted tokens unspent while they are refused).
   */
  pending: Promise<unknown> | null = null;
  /** The last lease asked for was refused (the bucket is contended or nearly empty): ask for none until then. */
  noLeaseUntil = 0;
  /** Requests per ms, decayed (RATE_TAU_MS). */
  #rate = 0;
  #rateAt = 0;

  constructor(plan: LimitPlan) {
    this.plan = plan;
    this.held = plan.buckets.map(() => 0);
    this.syncTokens = plan.buckets.map((b) => b.limit.capacity);
    this.inflight = plan.buckets.map(() => 0);
  }

  /** Counts one request at `now`. */
  observe(now: number): void {
    this.#rate = this.rateAt(now) + 1 / RATE_TAU_MS;
    this.#rateAt = now;
  }

  /** The observed local rate at `now`, in requests per ms. */
  rateAt(now: number): number {
    return this.#rate * Math.exp(-Math.max(0, now - this.#rateAt) / RATE_TAU_MS);
  }

  get holds(): boolean {
    return this.quotaHeld > 0 || this.held.some((tokens) => tokens > 0);
  }
}
