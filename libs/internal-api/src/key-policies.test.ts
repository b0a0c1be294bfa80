import { describe, expect, it } from 'vitest';
import {
  allowedIpsSchema,
  metadataSchema,
  ownerIdSchema,
  permissionsSchema,
  quotaSchema,
  rateLimitsSchema,
} from './key-policies.ts';

const firstIssue = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) => {
  const issue = result.error?.issues[0];
  return issue === undefined ? undefined : `${issue.path.join('.')}: ${issue.message}`;
};

describe('policy schemas', () => {
  it('normalise permissions and addresses', () => {
    expect(permissionsSchema.parse([' get  /api/v1/contacts', '* /api/**'])).toEqual([
      'GET /api/v1/contacts',
      '* /api/**',
    ]);
    expect(allowedIpsSchema.parse(['2001:DB8::0/32', '10.0.0.0/8'])).toEqual(['2001:db8::/32', '10.0.0.0/8']);
  });

  it('name the item that is wrong', () => {
    expect(firstIssue(permissionsSchema.safeParse(['GET /a', 'GET /a/../b']))).toBe(
      '1: the path may not contain . or .. segments',
    );
    expect(firstIssue(allowedIpsSchema.safeParse(['10.0.0.0/8', 'localhost']))).toBe(
      '1: "localhost" is not an IPv4/IPv6 address or CIDR',
    );
    expect(firstIssue(permissionsSchema.safeParse([]))).toBe(': expected an array of 1..100 permissions, or null');
    expect(permissionsSchema.safeParse(Array.from({ length: 101 }, () => 'GET /')).success).toBe(false);
    expect(firstIssue(permissionsSchema.safeParse(['GET /a', 'GET /a/..;/b']))).toBe(
      '1: the path may not contain a . or .. segment with parameters (.;x, ..;, ..%3B)',
    );
    expect(firstIssue(permissionsSchema.safeParse(['get /%7Euser']))).toBe(
      '0: the path is not in canonical form: write it as /~user',
    );
  });

  it('bound ownerId', () => {
    expect(ownerIdSchema.parse('cust_42:eu@acme.example')).toBe('cust_42:eu@acme.example');
    for (const bad of ['', 'x'.repeat(65), 'has space', 'ünïcode'])
      expect(ownerIdSchema.safeParse(bad).success).toBe(false);
  });

  it('default a bucket to neither shared nor shadow, and refuse duplicate names', () => {
    expect(rateLimitsSchema.parse([{ name: 'burst', capacity: 10, refillPerSecond: 5 }])).toEqual([
      { name: 'burst', capacity: 10, refillPerSecond: 5, shared: false, shadow: false },
    ]);
    const twice = [
      { name: 'a', capacity: 1, refillPerSecond: 1 },
      { name: 'a', capacity: 2, refillPerSecond: 1 },
    ];
    expect(firstIssue(rateLimitsSchema.safeParse(twice))).toBe('1.name: duplicate bucket name');
    expect(firstIssue(rateLimitsSchema.safeParse([{ name: 'A', capacity: 1, refillPerSecond: 1 }]))).toBe(
      '0.name: expected 1-32 characters from a-z 0-9 _ -',
    );
    expect(firstIssue(rateLimitsSchema.safeParse([{ name: 'a', capacity: 1, refillPerSecond: 1, burst: 2 }]))).toMatch(
      /^0: /,
    );
    expect(
      rateLimitsSchema.safeParse(
        Array.from({ length: 11 }, (_, i) => ({ name: `b${i}`, capacity: 1, refillPerSecond: 1 })),
      ).success,
    ).toBe(false);
  });

  it('bound a quota', () => {
    expect(quotaSchema.parse({ limit: 1000, period: 'month' })).toEqual({
      limit: 1000,
      period: 'month',
      shared: false,
    });
    expect(firstIssue(quotaSchema.safeParse({ limit: 0, period: 'day' }))).toBe(
      'limit: expected an integer 1..1000000000000',
    );
    expect(firstIssue(quotaSchema.safeParse({ limit: 1e12 + 1, period: 'day' }))).toBe(
      'limit: expected an integer 1..1000000000000',
    );
    expect(firstIssue(quotaSchema.safeParse({ limit: 5, period: 'week' }))).toBe(
      'period: expected "day", "month" or "total"',
    );
  });

  it('take metadata up to 1 KiB of JSON (UTF-8 bytes), objects only', () => {
    const fits = { note: 'x'.repeat(1024 - '{"note":""}'.length) };
    expect(metadataSchema.parse(fits)).toEqual(fits);
    expect(firstIssue(metadataSchema.safeParse({ note: `${fits.note}x` }))).toBe(
      ': expected at most 1024 bytes of JSON',
    );
    // 2 bytes per character in UTF-8: half as many fit.
    expect(metadataSchema.safeParse({ note: 'é'.repeat(600) }).success).toBe(false);
    for (const bad of [[1], 'plan', 3, true]) expect(metadataSchema.safeParse(bad).success).toBe(false);
    expect(metadataSchema.parse({ plan: 'pro', seats: 3, tags: ['a'], nested: { ok: null } })).toMatchObject({
      plan: 'pro',
    });
  });
});
