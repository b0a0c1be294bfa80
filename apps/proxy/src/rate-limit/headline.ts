import type { Decision, LimitPlan, LimitResult } from './limiter.ts';

/**
 * The bucket the headers describe: a refusing bucket (the longest wait),
 * else the non-shadow bucket with the fewest tokens left.
 */
export function headlineOf(plan: LimitPlan, decisions: readonly Decision[]): Decision {
  let best = -1;
  for (let i = 0; i < decisions.length; i++) {
    if (plan.buckets[i]!.shadow && plan.buckets.length > 1) continue;
    const d = decisions[i]!;
    if (best === -1) best = i;
    else {
      const b = decisions[best]!;
      if (!d.allowed && (b.allowed || d.retryAfterSeconds > b.retryAfterSeconds)) best = i;
      else if (d.allowed === b.allowed && d.remaining < b.remaining) best = i;
    }
  }
  return decisions[best === -1 ? 0 : best]!;
}

/** A single bucket's Decision from a plan's result (the `take` shorthand). */
export function firstDecision(result: LimitResult): Decision {
  return result.buckets[0]!;
}
