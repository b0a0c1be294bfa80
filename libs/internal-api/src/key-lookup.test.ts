import { describe, expect, it } from 'vitest';
import { keyLookupResponseSchema, keyLookupSchema } from './key-lookup.ts';

const lookup = {
  id: 'key_abc',
  accountId: 'acct_1',
  environment: 'live',
  status: 'active',
  expiresAt: '2026-12-01T00:00:00.000Z',
  rateLimit: { capacity: 100, refillPerSecond: 10 },
};

describe('keyLookupSchema', () => {
  it('accepts the documented answer, with and without an expiry and a limit', () => {
    expect(keyLookupResponseSchema.parse({ success: true, data: lookup }).data).toEqual(lookup);
    expect(keyLookupSchema.parse({ ...lookup, expiresAt: null, rateLimit: null })).toMatchObject({ rateLimit: null });
  });

  it.each([
    ['an unknown status', { status: 'paused' }],
    ['an unknown environment', { environment: 'prod' }],
    ['a timestamp instead of an ISO time', { expiresAt: 1_800_000_000_000 }],
    ['a fractional capacity', { rateLimit: { capacity: 1.5, refillPerSecond: 1 } }],
    ['a zero refill', { rateLimit: { capacity: 1, refillPerSecond: 0 } }],
    ['an empty id', { id: '' }],
  ])('refuses %s', (_name, change) => {
    expect(keyLookupSchema.safeParse({ ...lookup, ...change }).success).toBe(false);
  });

  it('refuses an error envelope as a lookup answer', () => {
    expect(keyLookupResponseSchema.safeParse({ success: false, statusCode: 404, code: 'NOT_FOUND' }).success).toBe(
      false,
    );
  });
});
