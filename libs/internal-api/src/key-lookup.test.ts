import { describe, expect, it } from 'vitest';
import { keyLookupResponseSchema, keyLookupSchema } from './key-lookup.ts';

/** What a keystore from before the policies answered. */
const older = {
  id: 'key_abc',
  accountId: 'acct_1',
  environment: 'live',
  status: 'active',
  expiresAt: '2026-12-01T00:00:00.000Z',
  rateLimit: { capacity: 100, refillPerSecond: 10 },
};

const lookup = {
  ...older,
  ownerId: 'cust_42',
  permissions: ['GET /api/v1/contacts', '* /api/v1/**'],
  allowedIps: ['10.0.0.0/8'],
  rateLimits: [{ name: 'burst', capacity: 10, refillPerSecond: 5, shared: false, shadow: false }],
  quota: { limit: 1000, period: 'month', shared: false, used: 12, periodStart: '2026-12-01T00:00:00.000Z' },
  metadata: { plan: 'pro' },
};

const noPolicies = {
  ownerId: null,
  permissions: null,
  allowedIps: null,
  rateLimits: null,
  quota: null,
  metadata: null,
};

describe('keyLookupSchema', () => {
  it('accepts the documented answer, with and without an expiry and a limit', () => {
    expect(keyLookupResponseSchema.parse({ success: true, data: lookup }).data).toEqual(lookup);
    expect(keyLookupSchema.parse({ ...lookup, expiresAt: null, rateLimit: null })).toMatchObject({ rateLimit: null });
  });

  it('reads an older keystore answer (no policy fields) as a key without policies', () => {
    expect(keyLookupSchema.parse(older)).toEqual({ ...older, ...noPolicies });
    expect(keyLookupSchema.parse({ ...older, ...noPolicies })).toEqual({ ...older, ...noPolicies });
  });

  it('ignores fields a newer keystore may add, at the top and inside a bucket or the quota', () => {
    const newer = {
      ...lookup,
      future: 1,
      rateLimits: [{ ...lookup.rateLimits[0], weight: 2 }],
      quota: { ...lookup.quota, carryOver: true },
    };
    expect(keyLookupSchema.parse(newer)).toEqual(lookup);
  });

  it('reads permissions saved before paths had to be canonical (the proxy canonicalises them, or matches nothing)', () => {
    const saved = ['GET /api/%7Euser', 'GET /api/%2e%2e/admin', 'GET /api/..;/admin'];
    expect(keyLookupSchema.parse({ ...lookup, permissions: saved }).permissions).toEqual(saved);
  });

  it.each([
    ['an unknown status', { status: 'paused' }],
    ['an unknown environment', { environment: 'prod' }],
    ['a timestamp instead of an ISO time', { expiresAt: 1_800_000_000_000 }],
    ['a fractional capacity', { rateLimit: { capacity: 1.5, refillPerSecond: 1 } }],
    ['a zero refill', { rateLimit: { capacity: 1, refillPerSecond: 0 } }],
    ['an empty id', { id: '' }],
    ['a permission the proxy cannot match', { permissions: ['GET /a/../b'] }],
    [
      'a quota without used',
      { quota: { limit: 1, period: 'day', shared: false, periodStart: '2026-12-01T00:00:00Z' } },
    ],
    ['metadata that is not an object', { metadata: ['pro'] }],
    ['an address that is not one', { allowedIps: ['localhost'] }],
  ])('refuses %s', (_name, change) => {
    expect(keyLookupSchema.safeParse({ ...lookup, ...change }).success).toBe(false);
  });

  it('refuses an error envelope as a lookup answer', () => {
    expect(keyLookupResponseSchema.safeParse({ success: false, statusCode: 404, code: 'NOT_FOUND' }).success).toBe(
      false,
    );
  });
});
