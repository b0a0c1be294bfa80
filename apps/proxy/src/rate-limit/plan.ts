import type { BucketSpec, Decision, LimitPlan, LimitResult, QuotaSpec, RateLimit } from './limiter.ts';

const PREFIX = 'routemcp:';

/**
 * Store keys. All keys of one plan share a Redis Cluster hash tag: the
 * owner's when the key has one (its shared buckets and quota are the
 * owner's), the key's otherwise, so one script call covers every bucket of a
 * request in one slot.
 */
export function slotTag(keyId: string, ownerId: string | null): string {
  return ownerId === null ? `{k:${keyId}}` : `{o:${ownerId}}`;
}

export function bucketKey(tag: string, scope: 'key' | 'owner', id: string, name: string): string {
  return scope === 'owner' ? `${PREFIX}rl:${tag}:s:${name}` : `${PREFIX}rl:${tag}:k:${id}:${name}`;
}

export function quotaKey(tag: string, scope: 'key' | 'owner', id: string, periodStart: number): string {
  return scope === 'owner' ? `${PREFIX}q:${tag}:s:${periodStart}` : `${PREFIX}q:${tag}:k:${id}:${periodStart}`;
}

/** One bucket named `default`, keyed by `bucketId` alone. */
export function singleBucketPlan(bucketId: string, limit: RateLimit): LimitPlan {
  const spec: BucketSpec = {
    key: bucketKey(slotTag(bucketId, null), 'key', bucketId, 'default'),
    name: 'default',
    limit,
    shadow: false,
  };
  return { id: bucketId, buckets: [spec], quota: null };
}

export type QuotaPeriod = 'day' | 'month' | 'total';

/** The UTC period containing `now`: [start, end) in epoch ms (`total`: from the epoch, never ending). */
export function periodOf(period: QuotaPeriod, now: number): { start: number; end: number } {
  if (period === 'total') return { start: 0, end: Number.POSITIVE_INFINITY };
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  if (period === 'month') return { start: Date.UTC(year, month, 1), end: Date.UTC(year, month + 1, 1) };
  const day = date.getUTCDate();
  return { start: Date.UTC(year, month, day), end: Date.UTC(year, month, day + 1) };
}

export function quotaSpec(key: string, limit: number, end: number, seed: number): QuotaSpec {
  return { key, limit, endsAt: end, seed };
}

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
