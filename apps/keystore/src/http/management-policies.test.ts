import { describe, expect, it } from 'vitest';
import { startKeystore, type Harness } from '../testing/keystore-harness.ts';

type Data = Record<string, unknown> & { id: string; key?: string };
interface Answer {
  data: Data;
  message?: string;
  code?: string;
}

async function call(
  ks: Harness,
  path: string,
  method = 'GET',
  json?: unknown,
): Promise<{ status: number; body: Answer }> {
  const res = await ks.admin(path, json === undefined ? { method } : { method, json });
  return { status: res.status, body: (await res.json()) as Answer };
}

async function create(ks: Harness, body: object): Promise<Data> {
  const { status, body: answer } = await call(ks, '/v1/keys', 'POST', { environment: 'live', ...body });
  if (status !== 201) throw new Error(`create answered ${status}: ${JSON.stringify(answer)}`);
  return answer.data as Data;
}

const usage = (ks: Harness, entries: object[]) =>
  ks.service('/internal/v1/usage', {
    method: 'POST',
    json: { entries: entries.map((e) => ({ lastUsedAt: new Date(ks.clock.now()).toISOString(), ...e })) },
  });

const EVERYTHING = {
  ownerId: 'cust_42',
  permissions: ['get /api/v1/contacts', '*  /api/v1/deals/**'],
  allowedIps: ['203.0.113.7', '2001:DB8:0::/32'],
  rateLimits: [
    { name: 'burst', capacity: 10, refillPerSecond: 5 },
    { name: 'owner-day', capacity: 1000, refillPerSecond: 0.5, shared: true, shadow: true },
  ],
  quota: { limit: 1000, period: 'month', shared: true },
  metadata: { plan: 'pro', seats: 3 },
};

const STORED = {
  ...EVERYTHING,
  permissions: ['GET /api/v1/contacts', '* /api/v1/deals/**'],
  allowedIps: ['203.0.113.7', '2001:db8::/32'],
  rateLimits: [
    { name: 'burst', capacity: 10, refillPerSecond: 5, shared: false, shadow: false },
    { name: 'owner-day', capacity: 1000, refillPerSecond: 0.5, shared: true, shadow: true },
  ],
};

describe('key policies through the management API', () => {
  it('POST stores every field normalised; GET shows them with the quota use; the list shows them too', async () => {
    await using ks = await startKeystore();
    const created = await create(ks, EVERYTHING);
    expect(created).toMatchObject(STORED);
    const one = await call(ks, `/v1/keys/${created.id}`);
    expect(one.body.data).toMatchObject({
      ...STORED,
      quota: {
        ...STORED.quota,
        used: 0,
        remaining: 1000,
        periodStart: '2026-06-01T00:00:00.000Z',
        resetsAt: '2026-07-01T00:00:00.000Z',
      },
    });
    const list = await call(ks, '/v1/keys');
    expect(list.body.data).toEqual([{ ...one.body.data, quota: STORED.quota }]);
  });

  it.each([
    [{ permissions: [] }, 'permissions: expected an array of 1..100 permissions, or null'],
    [{ permissions: 'GET /' }, 'permissions: expected an array of 1..100 permissions, or null'],
    [
      { permissions: ['GET /a', 'GET'] },
      'permissions.1: expected "METHOD /path" (METHOD a method or *; path segments literal or *, a trailing /** any rest)',
    ],
    [{ permissions: ['GET /a/../b'] }, 'permissions.0: the path may not contain . or .. segments'],
    [{ permissions: ['GET /a?b=1'] }, 'permissions.0: the path may not contain a query or fragment'],
    [{ permissions: ['GET /**/a'] }, 'permissions.0: ** is allowed only as the last segment'],
    [{ allowedIps: ['10.0.0.0/33'] }, 'allowedIps.0: "10.0.0.0/33": the prefix length must be 0..32'],
    [{ allowedIps: ['example.com'] }, 'allowedIps.0: "example.com" is not an IPv4/IPv6 address or CIDR'],
    [{ ownerId: 'x'.repeat(65) }, 'ownerId: expected 1-64 characters from A-Z a-z 0-9 . _ : @ -'],
    [{ ownerId: 'has space' }, 'ownerId: expected 1-64 characters from A-Z a-z 0-9 . _ : @ -'],
    [
      { rateLimits: [{ name: 'a', capacity: 0, refillPerSecond: 1 }] },
      'rateLimits.0.capacity: expected an integer 1..1000000',
    ],
    [
      { rateLimits: [{ name: 'Big', capacity: 1, refillPerSecond: 1 }] },
      'rateLimits.0.name: expected 1-32 characters from a-z 0-9 _ -',
    ],
    [
      {
        rateLimits: [
          { name: 'a', capacity: 1, refillPerSecond: 1 },
          { name: 'a', capacity: 2, refillPerSecond: 2 },
        ],
      },
      'rateLimits.1.name: duplicate bucket name',
    ],
    [{ rateLimits: [{ name: 'a', capacity: 1, refillPerSecond: 1, weight: 2 }] }, 'rateLimits.0.weight: unknown field'],
    [
      { rateLimits: [{ name: 'a', capacity: 1, refillPerSecond: 1, shared: true }] },
      'rateLimits: a shared bucket needs the key to have an ownerId',
    ],
    [
      { rateLimit: { capacity: 1, refillPerSecond: 1 }, rateLimits: [{ name: 'a', capacity: 1, refillPerSecond: 1 }] },
      'rateLimit, rateLimits: set one of them (the other to null); rateLimit is the one-bucket shorthand',
    ],
    [{ quota: { limit: 0, period: 'day' } }, 'quota.limit: expected an integer 1..1000000000000'],
    [{ quota: { limit: 10, period: 'week' } }, 'quota.period: expected "day", "month" or "total"'],
    [{ quota: { limit: 10, period: 'day', shared: true } }, 'quota: a shared quota needs the key to have an ownerId'],
    [{ quota: 100 }, 'quota: expected {"limit","period","shared"?} or null'],
    [{ metadata: ['pro'] }, 'metadata: expected a JSON object of at most 1024 bytes, or null'],
    [{ metadata: { note: 'x'.repeat(1020) } }, 'metadata: expected at most 1024 bytes of JSON'],
  ])('400 names the field: %j', async (fields, message) => {
    await using ks = await startKeystore();
    const { status, body } = await call(ks, '/v1/keys', 'POST', { environment: 'live', ...fields });
    expect({ status, body }).toEqual({
      status: 400,
      body: { success: false, statusCode: 400, message, code: 'BAD_REQUEST' },
    });
    expect(await ks.store.latestSeq()).toBe(0);
  });

  it('PATCH sets, keeps and clears fields, with an updated event each time; a conflicting PATCH changes nothing', async () => {
    await using ks = await startKeystore();
    const { id } = await create(ks, { name: 'billing' });
    const set = await call(ks, `/v1/keys/${id}`, 'PATCH', EVERYTHING);
    expect(set.status).toBe(200);
    expect(set.body.data).toMatchObject({ ...STORED, name: 'billing', quota: { ...STORED.quota, used: 0 } });

    const narrowed = await call(ks, `/v1/keys/${id}`, 'PATCH', {
      permissions: ['GET /api/v1/contacts'],
      metadata: null,
    });
    expect(narrowed.body.data).toMatchObject({ ...STORED, permissions: ['GET /api/v1/contacts'], metadata: null });

    const seq = await ks.store.latestSeq();
    const orphan = await call(ks, `/v1/keys/${id}`, 'PATCH', { ownerId: null });
    expect(orphan).toMatchObject({
      status: 400,
      body: { message: 'rateLimits: a shared bucket needs the key to have an ownerId' },
    });
    const both = await call(ks, `/v1/keys/${id}`, 'PATCH', { rateLimit: { capacity: 5, refillPerSecond: 1 } });
    expect(both.body.message).toMatch(/^rateLimit, rateLimits: /);
    expect(await ks.store.latestSeq()).toBe(seq);
    expect((await call(ks, `/v1/keys/${id}`)).body.data.ownerId).toBe('cust_42');

    // Clearing the shared limits first lets the ownerId go.
    const cleared = await call(ks, `/v1/keys/${id}`, 'PATCH', {
      rateLimits: null,
      quota: null,
      ownerId: null,
      permissions: null,
      allowedIps: null,
    });
    expect(cleared.body.data).toMatchObject({
      name: 'billing',
      ownerId: null,
      permissions: null,
      allowedIps: null,
      rateLimits: null,
      quota: null,
      metadata: null,
    });
    expect((await ks.store.eventsAfter(0, 10)).map((e) => e.type)).toEqual([
      'created',
      'updated',
      'updated',
      'updated',
    ]);
  });

  it('a rolled key inherits every field and the expiry', async () => {
    await using ks = await startKeystore();
    const expiresAt = new Date(ks.clock.now() + 30 * 86_400_000).toISOString();
    const old = await create(ks, { ...EVERYTHING, name: 'prod', expiresAt });
    const rolled = await call(ks, `/v1/keys/${old.id}/roll`, 'POST', { gracePeriodSeconds: 60 });
    expect(rolled.status).toBe(201);
    expect(rolled.body.data).toMatchObject({
      ...STORED,
      name: 'prod',
      expiresAt,
      rolledFrom: old.id,
      status: 'expiring',
    });
    expect((await call(ks, `/v1/keys/${old.id}`)).body.data.expiresAt).toBe(
      new Date(ks.clock.now() + 60_000).toISOString(),
    );
  });

  it('an expired key is not rolled (its successor would inherit a past expiry): 409', async () => {
    await using ks = await startKeystore();
    const old = await create(ks, { expiresAt: new Date(ks.clock.now() + 1000).toISOString() });
    ks.clock.advance(1000);
    const rolled = await call(ks, `/v1/keys/${old.id}/roll`, 'POST');
    expect(rolled).toMatchObject({
      status: 409,
      body: { code: 'CONFLICT', message: 'An expired key cannot be rolled' },
    });
  });
});

describe('quota use (fixed clock, UTC periods)', () => {
  const quotaOf = async (ks: Harness, id: string) => (await call(ks, `/v1/keys/${id}`)).body.data.quota;

  it('counts admitted requests in the current month and starts again at the next', async () => {
    await using ks = await startKeystore();
    ks.clock.set(Date.parse('2026-06-30T23:10:00.000Z'));
    const { id } = await create(ks, { quota: { limit: 100, period: 'month' } });
    await usage(ks, [{ keyId: id, requests: 50, rateLimited: 10, admitted: 40 }]);
    await usage(ks, [{ keyId: id, requests: 5, rateLimited: 0 }]);
    expect(await quotaOf(ks, id)).toEqual({
      limit: 100,
      period: 'month',
      shared: false,
      used: 45,
      remaining: 55,
      periodStart: '2026-06-01T00:00:00.000Z',
      resetsAt: '2026-07-01T00:00:00.000Z',
    });
    ks.clock.set(Date.parse('2026-07-01T00:00:00.000Z'));
    expect(await quotaOf(ks, id)).toMatchObject({ used: 0, remaining: 100, periodStart: '2026-07-01T00:00:00.000Z' });
    await usage(ks, [{ keyId: id, requests: 120, rateLimited: 0, admitted: 120 }]);
    expect(await quotaOf(ks, id)).toMatchObject({ used: 120, remaining: 0 });
  });

  it('a day quota starts at UTC midnight; a total quota never starts again', async () => {
    await using ks = await startKeystore();
    ks.clock.set(Date.parse('2026-06-10T22:00:00.000Z'));
    const day = await create(ks, { quota: { limit: 10, period: 'day' } });
    const total = await create(ks, { quota: { limit: 10, period: 'total' } });
    await usage(ks, [
      { keyId: day.id, requests: 3, rateLimited: 0, admitted: 3 },
      { keyId: total.id, requests: 3, rateLimited: 0, admitted: 3 },
    ]);
    ks.clock.set(Date.parse('2026-06-11T01:00:00.000Z'));
    await usage(ks, [
      { keyId: day.id, requests: 2, rateLimited: 0, admitted: 2 },
      { keyId: total.id, requests: 2, rateLimited: 0, admitted: 2 },
    ]);
    expect(await quotaOf(ks, day.id)).toMatchObject({
      used: 2,
      periodStart: '2026-06-11T00:00:00.000Z',
      resetsAt: '2026-06-12T00:00:00.000Z',
    });
    expect(await quotaOf(ks, total.id)).toMatchObject({
      used: 5,
      remaining: 5,
      periodStart: '1970-01-01T00:00:00.000Z',
      resetsAt: null,
    });
  });

  it('a shared quota sums every key of the owner; an own quota only the key (and the keys it was rolled from)', async () => {
    await using ks = await startKeystore();
    const shared = { ownerId: 'cust_1', quota: { limit: 100, period: 'month', shared: true } };
    const a = await create(ks, shared);
    const b = await create(ks, shared);
    const own = await create(ks, { ownerId: 'cust_1', quota: { limit: 100, period: 'month' } });
    const other = await create(ks, { ownerId: 'cust_2', quota: { limit: 100, period: 'month', shared: true } });
    await usage(ks, [
      { keyId: a.id, requests: 10, rateLimited: 0, admitted: 10 },
      { keyId: b.id, requests: 20, rateLimited: 0, admitted: 20 },
      { keyId: own.id, requests: 5, rateLimited: 0, admitted: 5 },
      { keyId: other.id, requests: 99, rateLimited: 0, admitted: 99 },
    ]);
    expect(await quotaOf(ks, a.id)).toMatchObject({ used: 35, remaining: 65 });
    expect(await quotaOf(ks, b.id)).toMatchObject({ used: 35 });
    expect(await quotaOf(ks, own.id)).toMatchObject({ used: 5, remaining: 95 });
    expect(await quotaOf(ks, other.id)).toMatchObject({ used: 99 });

    const rolled = await call(ks, `/v1/keys/${own.id}/roll`, 'POST');
    expect(await quotaOf(ks, rolled.body.data.id)).toMatchObject({ used: 5, remaining: 95 });
  });
});
