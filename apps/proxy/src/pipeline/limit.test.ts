import { describe, expect, it } from 'vitest';
import type { KeyRecord } from '../key-lookup/index.ts';
import type { Decision } from '../rate-limit/index.ts';
import { FakeLimiter } from '../testing/fake-limiter.ts';
import { fromHeaderList } from '../testing/header-lists.ts';
import { pushRateLimitHeaders, takeToken } from './limit.ts';

const defaults = {
  live: { capacity: 100, refillPerSecond: 10 },
  test: { capacity: 5, refillPerSecond: 1 },
};
const key = (over: Partial<KeyRecord> = {}): KeyRecord => ({
  id: 'key_1',
  accountId: 'acct_1',
  environment: 'test',
  expiresAt: null,
  rateLimit: null,
  ...over,
});

describe('takeToken', () => {
  it("uses the key id as bucket and the environment's default", async () => {
    const limiter = new FakeLimiter();
    await takeToken(limiter, defaults, key());
    await takeToken(limiter, defaults, key({ id: 'key_2', environment: 'live' }));
    expect(limiter.calls).toEqual([
      { bucketId: 'key_1', limit: defaults.test, cost: 1 },
      { bucketId: 'key_2', limit: defaults.live, cost: 1 },
    ]);
  });

  it("prefers the key's own limit", async () => {
    const limiter = new FakeLimiter();
    const own = { capacity: 2, refillPerSecond: 1 };
    const decisions = [];
    for (let i = 0; i < 3; i++) decisions.push(await takeToken(limiter, defaults, key({ rateLimit: own })));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
    expect(limiter.calls[0]!.limit).toBe(own);
  });
});

describe('pushRateLimitHeaders', () => {
  const allowed: Decision = { allowed: true, limit: 10, remaining: 7, resetSeconds: 3, retryAfterSeconds: 0 };
  const pushed = (decision: Decision) => {
    const list = ['x-request-id', 'r-1'];
    pushRateLimitHeaders(list, decision);
    return fromHeaderList(list);
  };

  it('appends the three RateLimit headers on an allowed request', () => {
    expect(pushed(allowed)).toEqual({
      'x-request-id': 'r-1',
      'RateLimit-Limit': '10',
      'RateLimit-Remaining': '7',
      'RateLimit-Reset': '3',
    });
  });

  it('adds Retry-After of at least one second on a refusal', () => {
    expect(pushed({ ...allowed, allowed: false, remaining: 0, retryAfterSeconds: 0 })['Retry-After']).toBe('1');
    expect(pushed({ ...allowed, allowed: false, retryAfterSeconds: 4 })['Retry-After']).toBe('4');
  });
});
