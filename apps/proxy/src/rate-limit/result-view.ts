import type { Decision, LimitPlan, LimitResult, QuotaState } from './limiter.ts';
import { headlineOf } from './headline.ts';
import type { SharedReply } from './shared-limits.ts';
import { toDecision } from './token-bucket.ts';

/** What a result is built from: the store's last word, what this proxy holds, and how long ago that was. */
export interface ResultView {
  allowed: boolean;
  refusedBy: LimitResult['refusedBy'];
  /** The store's reply to this request's call; null when it was decided from a lease. */
  reply: SharedReply | null;
  syncTokens: readonly number[];
  held: readonly number[];
  /** Time since `syncTokens` (the store refills by its own rate meanwhile). */
  refilledMs: number;
  quotaUsed: number;
  now: number;
}

/**
 * The request's result as the headers tell it: each bucket is what the
 * store had at the last call (refilled since, by its own rate) plus what
 * this proxy holds, capped at capacity.
 */
export function resultOf(plan: LimitPlan, view: ResultView): LimitResult {
  const decisions: Decision[] = [];
  let shadowRefused: string[] | null = null;
  for (let i = 0; i < plan.buckets.length; i++) {
    const { limit, name } = plan.buckets[i]!;
    const state = view.reply?.buckets[i];
    const refilled = (view.refilledMs / 1000) * limit.refillPerSecond;
    const tokens = Math.min(limit.capacity, view.syncTokens[i]! + refilled + view.held[i]!);
    const ok = state === undefined ? true : view.allowed ? !state.shadowRefused : state.msToRetry === 0;
    if (state?.shadowRefused === true && view.allowed) (shadowRefused ??= []).push(name);
    const perMs = Math.max(limit.refillPerSecond, 1e-6) / 1000;
    decisions.push(toDecision(limit, ok, tokens, Math.ceil((limit.capacity - tokens) / perMs), state?.msToRetry ?? 0));
  }
  let quota: QuotaState | null = null;
  if (plan.quota !== null) {
    quota = {
      limit: plan.quota.limit,
      remaining: Math.max(0, plan.quota.limit - view.quotaUsed),
      resetSeconds: Number.isFinite(plan.quota.endsAt)
        ? Math.max(0, Math.ceil((plan.quota.endsAt - view.now) / 1000))
        : null,
    };
  }
  return {
    allowed: view.allowed,
    refusedBy: view.refusedBy,
    headline: headlineOf(plan, decisions),
    buckets: decisions,
    shadowRefused: shadowRefused ?? NONE,
    quota,
  };
}

const NONE: readonly string[] = Object.freeze([]);
