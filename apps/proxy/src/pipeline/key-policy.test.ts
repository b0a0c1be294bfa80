import { canonicalTarget, pathOf, type CanonicalPath } from '@routemcp/internal-api';
import { describe, expect, it } from 'vitest';
import type { KeyRecord } from '../key-lookup/index.ts';
import { KeyPolicy } from './key-policy.ts';

const defaults = { live: { capacity: 100, refillPerSecond: 10 }, test: { capacity: 5, refillPerSecond: 1 } };
const key = (over: Partial<KeyRecord> = {}): KeyRecord => ({
  id: 'key_1',
  accountId: 'acct_1',
  environment: 'test',
  expiresAt: null,
  rateLimit: null,
  ...over,
});
const policy = (over: Partial<KeyRecord> = {}) => new KeyPolicy(key(over), defaults);
/** The path the pipeline matches for a target (it refuses, before any policy, a target with no canonical form). */
const path = (target: string): CanonicalPath => pathOf(canonicalTarget(target)!);

describe('KeyPolicy permissions', () => {
  const restricted = policy({ permissions: ['GET /api/v1/contacts', 'post /api/v1/deals/*', '* /admin/**'] });

  it.each([
    ['GET', '/api/v1/contacts?provider=hubspot'],
    ['GET', '/api/v1//contacts'],
    ['GET', '/api/v1/x/../contacts'],
    ['GET', '/api/v1/%63ontacts'],
    ['POST', '/api/v1/deals/42'],
    ['DELETE', '/admin'],
    ['PUT', '/admin/users/7/roles'],
  ])('allows %s %s', (method, target) => {
    expect(restricted.permits(method, path(target))).toBe(true);
  });

  it.each([
    ['POST', '/api/v1/contacts'],
    ['GET', '/api/v1/contacts/1'],
    ['GET', '/api/v1/contacts/'],
    ['GET', '/api/v1/deals/42'],
    ['POST', '/api/v1/deals'],
    ['POST', '/api/v1/deals/42/notes'],
    ['GET', '/administrator'],
    ['GET', '/api/v1/contacts;x'],
  ])('refuses %s %s', (method, target) => {
    expect(restricted.permits(method, path(target))).toBe(false);
  });

  it('matches a permission written with escapes in the form requests are matched in', () => {
    const escaped = policy({ permissions: ['GET /%7Euser/caf%c3%a9', 'GET /a/%2e%2e/b', 'GET /a/..;/b'] });
    expect(escaped.permits('GET', path('/~user/caf%C3%A9'))).toBe(true);
    expect(escaped.permits('GET', path('/%7euser/caf%c3%a9'))).toBe(true);
    // No forwarded path has those segments: such a permission names nothing.
    expect(escaped.permits('GET', path('/a/b'))).toBe(false);
    expect(escaped.permits('GET', path('/b'))).toBe(false);
  });

  it('allows everything without a permission list', () => {
    expect(policy().permits('DELETE', path('/anything'))).toBe(true);
    expect(policy({ permissions: null }).permits('PATCH', path('/x'))).toBe(true);
  });

  it('refuses everything with an empty list', () => {
    expect(policy({ permissions: [] }).permits('GET', path('/'))).toBe(false);
  });
});

describe('KeyPolicy allowed addresses', () => {
  const fenced = policy({ allowedIps: ['10.0.0.0/8', '203.0.113.7', '2001:db8::/32'] });

  it.each(['10.1.2.3', '::ffff:10.9.9.9', '203.0.113.7', '2001:db8::1'])('allows %s', (address) => {
    expect(fenced.allowsFrom(address)).toBe(true);
  });

  it.each(['11.0.0.1', '203.0.113.8', '2001:db9::1', 'not-an-ip', undefined])('refuses %s', (address) => {
    expect(fenced.allowsFrom(address)).toBe(false);
  });

  it('allows any address without a list', () => {
    expect(policy().allowsFrom('192.0.2.1')).toBe(true);
  });
});

describe('KeyPolicy limit plan', () => {
  it("is one bucket from the key's own limit or its environment's default", () => {
    expect(policy().plan(0).buckets).toEqual([
      { key: 'routemcp:rl:{k:key_1}:k:key_1:default', name: 'default', limit: defaults.test, shadow: false },
    ]);
    expect(policy({ rateLimit: { capacity: 2, refillPerSecond: 1 } }).plan(0).buckets[0]!.limit).toEqual({
      capacity: 2,
      refillPerSecond: 1,
    });
  });

  it("puts every key of an owner in the owner's slot, and shares only the shared buckets", () => {
    const plan = policy({
      ownerId: 'cust_9',
      rateLimits: [
        { name: 'burst', capacity: 10, refillPerSecond: 5, shared: false, shadow: false },
        { name: 'team', capacity: 100, refillPerSecond: 1, shared: true, shadow: true },
      ],
    }).plan(0);
    expect(plan.buckets.map((b) => [b.key, b.shadow])).toEqual([
      ['routemcp:rl:{o:cust_9}:k:key_1:burst', false],
      ['routemcp:rl:{o:cust_9}:s:team', true],
    ]);
  });

  it('counts a quota per UTC period, seeded with what the keystore counted in that period only', () => {
    const now = Date.parse('2026-12-15T10:00:00Z');
    const month = Date.parse('2026-12-01T00:00:00Z');
    const quota = { limit: 1000, period: 'month' as const, shared: false, used: 12, periodStart: month };
    const plan = policy({ quota }).plan(now);
    expect(plan.quota).toEqual({
      key: `routemcp:q:{k:key_1}:k:key_1:${month}`,
      limit: 1000,
      endsAt: Date.parse('2027-01-01T00:00:00Z'),
      seed: 12,
    });
    const january = policy({ quota }).plan(Date.parse('2027-01-02T00:00:00Z'));
    expect(january.quota).toMatchObject({ seed: 0, endsAt: Date.parse('2027-02-01T00:00:00Z') });
    const daily = policy({ quota: { ...quota, period: 'day', periodStart: 0 } }).plan(now);
    expect(daily.quota!.endsAt).toBe(Date.parse('2026-12-16T00:00:00Z'));
    const shared = policy({ ownerId: 'cust_9', quota: { ...quota, shared: true } }).plan(now);
    expect(shared.quota!.key).toBe(`routemcp:q:{o:cust_9}:s:${month}`);
  });

  it('lists every bucket in RateLimit-Policy', () => {
    const named = policy({
      rateLimits: [
        { name: 'burst', capacity: 10, refillPerSecond: 5, shared: false, shadow: false },
        { name: 'hourly', capacity: 3600, refillPerSecond: 1, shared: false, shadow: false },
      ],
    });
    expect(named.policyHeader).toBe('"burst";q=10;w=2, "hourly";q=3600;w=3600');
    expect(policy().policyHeader).toBe('"default";q=5;w=5');
  });
});

describe('KeyPolicy upstream headers', () => {
  it('forwards the owner and the metadata (base64url of its JSON)', () => {
    const metadata = { plan: 'pro', seats: 3 };
    const headers = policy({ ownerId: 'cust_9', metadata }).upstreamHeaders;
    expect(headers).toEqual([
      'x-routemcp-owner-id',
      'cust_9',
      'x-routemcp-key-meta',
      Buffer.from(JSON.stringify(metadata)).toString('base64url'),
    ]);
    expect(policy().upstreamHeaders).toEqual([]);
  });
});
