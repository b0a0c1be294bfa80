import { describe, expect, it } from 'vitest';
import type { Decision, LimitResult } from '../rate-limit/index.ts';
import { fromHeaderList } from '../testing/header-lists.ts';
import { pushLimitHeaders } from './limit.ts';

const allowed: Decision = { allowed: true, limit: 10, remaining: 7, resetSeconds: 3, retryAfterSeconds: 0 };
const result = (over: Partial<LimitResult> = {}): LimitResult => ({
  allowed: true,
  refusedBy: null,
  headline: allowed,
  buckets: [allowed],
  shadowRefused: [],
  quota: null,
  ...over,
});
const pushed = (limits: LimitResult) => {
  const list = ['x-request-id', 'r-1'];
  pushLimitHeaders(list, limits, '"default";q=10;w=1');
  return fromHeaderList(list);
};

describe('pushLimitHeaders', () => {
  it("appends the headline bucket's RateLimit headers and the policy of every bucket", () => {
    expect(pushed(result())).toEqual({
      'x-request-id': 'r-1',
      'RateLimit-Limit': '10',
      'RateLimit-Remaining': '7',
      'RateLimit-Reset': '3',
      'RateLimit-Policy': '"default";q=10;w=1',
    });
  });

  it('adds Retry-After of at least one second when a bucket refused', () => {
    const refused = { ...allowed, allowed: false, remaining: 0, retryAfterSeconds: 0 };
    expect(pushed(result({ allowed: false, refusedBy: 'bucket', headline: refused }))['Retry-After']).toBe('1');
    const later = { ...refused, retryAfterSeconds: 4 };
    expect(pushed(result({ allowed: false, refusedBy: 'bucket', headline: later }))['Retry-After']).toBe('4');
  });

  it("says when the quota's period ends, and nothing for a quota that never resets", () => {
    const quota = { limit: 5, remaining: 0, resetSeconds: 3600 };
    expect(pushed(result({ allowed: false, refusedBy: 'quota', quota }))['Retry-After']).toBe('3600');
    const total = { ...quota, resetSeconds: null };
    expect(pushed(result({ allowed: false, refusedBy: 'quota', quota: total }))).not.toHaveProperty('Retry-After');
  });
});
