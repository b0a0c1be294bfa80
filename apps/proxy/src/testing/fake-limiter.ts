import { singleBucketPlan } from '../rate-limit/index.ts';
import type { Decision, Limiter, LimiterMode, LimitPlan, LimitResult, RateLimit } from '../rate-limit/index.ts';

/** Buckets that never refill and a quota counter, so tests can exhaust them deterministically. */
export class FakeLimiter implements Limiter {
  /** One entry per decision: the plan's id, its first bucket's limit, and the cost. */
  readonly calls: { bucketId: string; limit: RateLimit; cost: number }[] = [];
  readonly plans: LimitPlan[] = [];
  currentMode: LimiterMode = 'memory';
  closed = false;
  #used = new Map<string, number>();

  async take(bucketId: string, limit: RateLimit, cost = 1): Promise<Decision> {
    return (await this.admit(singleBucketPlan(bucketId, limit), cost)).buckets[0]!;
  }

  async admit(plan: LimitPlan, cost = 1): Promise<LimitResult> {
    this.calls.push({ bucketId: plan.id, limit: plan.buckets[0]!.limit, cost });
    this.plans.push(plan);
    const used = plan.buckets.map((bucket) => this.#used.get(bucket.key) ?? 0);
    const bucketsAdmit = plan.buckets.every((bucket, i) => bucket.shadow || used[i]! + cost <= bucket.limit.capacity);
    const quotaUsed = plan.quota === null ? 0 : (this.#used.get(plan.quota.key) ?? plan.quota.seed);
    const quotaAdmits = plan.quota === null || quotaUsed + cost <= plan.quota.limit;
    const allowed = bucketsAdmit && quotaAdmits;
    const shadowRefused: string[] = [];
    const buckets = plan.buckets.map((bucket, i): Decision => {
      const fits = used[i]! + cost <= bucket.limit.capacity;
      if (allowed && fits) this.#used.set(bucket.key, used[i]! + cost);
      if (allowed && !fits) shadowRefused.push(bucket.name);
      const nowUsed = allowed && fits ? used[i]! + cost : used[i]!;
      return {
        allowed: fits,
        limit: bucket.limit.capacity,
        remaining: bucket.limit.capacity - nowUsed,
        resetSeconds: Math.ceil(nowUsed / bucket.limit.refillPerSecond),
        retryAfterSeconds: fits ? 0 : Math.ceil(cost / bucket.limit.refillPerSecond),
      };
    });
    if (allowed && plan.quota !== null) this.#used.set(plan.quota.key, quotaUsed + cost);
    const headline = buckets.find((b, i) => !b.allowed && !plan.buckets[i]!.shadow) ?? buckets[0]!;
    return {
      allowed,
      refusedBy: allowed ? null : bucketsAdmit ? 'quota' : 'bucket',
      headline,
      buckets,
      shadowRefused,
      quota:
        plan.quota === null
          ? null
          : {
              limit: plan.quota.limit,
              remaining: plan.quota.limit - (allowed ? quotaUsed + cost : quotaUsed),
              resetSeconds: Number.isFinite(plan.quota.endsAt) ? 3600 : null,
            },
    };
  }

  mode(): LimiterMode {
    return this.currentMode;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
