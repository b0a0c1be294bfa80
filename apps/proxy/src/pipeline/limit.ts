import type { Environment } from '@routemcp/api-key';
import type { LimitResult, RateLimit } from '../rate-limit/index.ts';

export type RateLimitDefaults = Readonly<Record<Environment, RateLimit>>;

/**
 * Appends the limit headers to a flat header list (every answer is written
 * with one `writeHead(status, list)`, never through `setHeader`):
 * RateLimit-Limit/-Remaining/-Reset of the most restrictive bucket,
 * RateLimit-Policy listing every bucket, and on a refusal Retry-After —
 * until a token is back (RATE_LIMITED), or until the quota's period ends
 * (QUOTA_EXCEEDED; none for a `total` quota, which never resets).
 */
export function pushLimitHeaders(list: string[], limits: LimitResult, policy: string): void {
  const headline = limits.headline;
  list.push(
    'RateLimit-Limit',
    String(headline.limit),
    'RateLimit-Remaining',
    String(headline.remaining),
    'RateLimit-Reset',
    String(headline.resetSeconds),
    'RateLimit-Policy',
    policy,
  );
  if (limits.refusedBy === 'bucket') list.push('Retry-After', String(Math.max(1, headline.retryAfterSeconds)));
  else if (limits.refusedBy === 'quota' && limits.quota?.resetSeconds != null)
    list.push('Retry-After', String(Math.max(1, limits.quota.resetSeconds)));
}
