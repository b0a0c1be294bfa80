import { describe, expect, it } from 'vitest';
import { hash, parse } from '@routemcp/api-key';
import { startKeystore } from '../testing/keystore-harness.ts';

const KEY_ID = /^key_[0-9A-Za-z]{24}$/;

async function json(
  res: Response,
): Promise<{ success: boolean; data?: Record<string, unknown>; [k: string]: unknown }> {
  return (await res.json()) as { success: boolean; data?: Record<string, unknown> };
}

describe('POST /v1/keys', () => {
  it('answers 201 with exactly the documented fields, the key shown once', async () => {
    await using ks = await startKeystore();
    const res = await ks.admin('/v1/keys', {
      method: 'POST',
      json: { environment: 'test', name: 'ci', rateLimit: { capacity: 50, refillPerSecond: 2.5 } },
    });
    expect(res.status).toBe(201);
    const body = await json(res);
    const data = body.data as Record<string, unknown>;
    expect(Object.keys(data)).toEqual([
      'id',
      'key',
      'environment',
      'name',
      'hint',
      'accountId',
      'rateLimit',
      'createdAt',
      'expiresAt',
      'status',
      'revokedAt',
      'lastUsedAt',
      'rolledFrom',
      'ownerId',
      'permissions',
      'allowedIps',
      'rateLimits',
      'quota',
      'metadata',
      'leak',
    ]);
    expect(data).toMatchObject({
      environment: 'test',
      name: 'ci',
      accountId: ks.store.defaultAccountId,
      rateLimit: { capacity: 50, refillPerSecond: 2.5 },
      createdAt: new Date(ks.clock.now()).toISOString(),
      expiresAt: null,
      status: 'active',
      revokedAt: null,
      lastUsedAt: null,
      rolledFrom: null,
      ownerId: null,
      permissions: null,
      allowedIps: null,
      rateLimits: null,
      quota: null,
      metadata: null,
      leak: null,
    });
    expect(data.id).toMatch(KEY_ID);
    const key = data.key as string;
    expect(parse(key)).toEqual({ ok: true, environment: 'test' });
    expect(data.hint).toBe(`sk_test_…${key.slice(-4)}`);
    expect((await ks.store.findByHash(hash(key)))?.id).toBe(data.id);

    const again = await json(await ks.admin(`/v1/keys/${String(data.id)}`));
    expect(again.data).not.toHaveProperty('key');
  });

  it('defaults name, rateLimit and expiresAt to null', async () => {
    await using ks = await startKeystore();
    const data = (await json(await ks.admin('/v1/keys', { method: 'POST', json: { environment: 'live' } }))).data;
    expect(data).toMatchObject({ name: null, rateLimit: null, expiresAt: null, environment: 'live' });
  });

  it('accepts a future expiresAt and reports the key as expiring', async () => {
    await using ks = await startKeystore();
    const expiresAt = new Date(ks.clock.now() + 3_600_000).toISOString();
    const res = await ks.admin('/v1/keys', { method: 'POST', json: { environment: 'live', expiresAt } });
    expect((await json(res)).data).toMatchObject({ expiresAt, status: 'expiring' });
  });

  it('creates an unknown account on the fly for the operator', async () => {
    await using ks = await startKeystore();
    const res = await ks.admin('/v1/keys', {
      method: 'POST',
      json: { environment: 'live', accountId: 'acct_partner-1' },
    });
    expect(res.status).toBe(201);
    expect((await json(res)).data?.accountId).toBe('acct_partner-1');
    expect(await ks.store.hasAccount('acct_partner-1')).toBe(true);
  });

  it.each([
    [{}, 'environment: expected "live" or "test"'],
    [{ environment: 'prod' }, 'environment: expected "live" or "test"'],
    [{ environment: 'live', name: 'x'.repeat(101) }, 'name: expected a string of at most 100 characters'],
    [
      { environment: 'live', rateLimit: { capacity: 0, refillPerSecond: 1 } },
      'rateLimit.capacity: expected an integer 1..1000000',
    ],
    [
      { environment: 'live', rateLimit: { capacity: 1.5, refillPerSecond: 1 } },
      'rateLimit.capacity: expected an integer 1..1000000',
    ],
    [
      { environment: 'live', rateLimit: { capacity: 5, refillPerSecond: 0 } },
      'rateLimit.refillPerSecond: expected a number > 0 and <= 1000000',
    ],
    [
      { environment: 'live', rateLimit: { capacity: 5, refillPerSecond: 1, burst: 3 } },
      'rateLimit.burst: unknown field',
    ],
    [{ environment: 'live', expiresAt: 'tomorrow' }, 'expiresAt: expected an ISO-8601 time, e.g. 2026-12-01T00:00:00Z'],
    [{ environment: 'live', expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt: expected a time in the future'],
    [{ environment: 'live', accountId: 'bad id!' }, 'accountId: expected 1-64 characters from A-Z a-z 0-9 _ -'],
    [{ environment: 'live', admin: true }, 'admin: unknown field'],
    [[1, 2], 'body: expected a JSON object'],
  ])('400 names the field: %j', async (body, message) => {
    await using ks = await startKeystore();
    const res = await ks.admin('/v1/keys', { method: 'POST', json: body });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe(JSON.stringify({ success: false, statusCode: 400, message, code: 'BAD_REQUEST' }));
  });
});

describe('authorisation', () => {
  it.each([
    ['no token', {}],
    ['a wrong token', { authorization: 'Bearer admin-token-for-tests-00000X' }],
    ['the service token', { authorization: 'Bearer service-token-for-tests-0001' }],
    ['another scheme', { authorization: 'Basic YWRtaW46YWRtaW4=' }],
  ])('401 UNAUTHORIZED with %s', async (_name, headers) => {
    await using ks = await startKeystore();
    for (const [method, path] of [
      ['GET', '/v1/keys'],
      ['POST', '/v1/keys'],
      ['GET', '/v1/keys/key_x'],
      ['POST', '/v1/keys/key_x/revoke'],
    ] as const) {
      const res = await fetch(`${ks.baseUrl}${path}`, { method, headers });
      expect(res.status).toBe(401);
      expect(await res.text()).toBe(
        '{"success":false,"statusCode":401,"message":"Authentication required","code":"UNAUTHORIZED"}',
      );
    }
  });
});

describe('reading keys', () => {
  it('lists newest first, never with the key or its hash, and filters', async () => {
    await using ks = await startKeystore();
    const created: { key: string; id: string }[] = [];
    for (const environment of ['live', 'test', 'live']) {
      const data = (await json(await ks.admin('/v1/keys', { method: 'POST', json: { environment } }))).data;
      created.push(data as { key: string; id: string });
      ks.clock.advance(1000);
    }
    const res = await ks.admin('/v1/keys');
    const text = await res.text();
    for (const { key } of created) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(hash(key));
    }
    const list = (JSON.parse(text) as { data: Record<string, unknown>[] }).data;
    expect(list.map((k) => k.id)).toEqual(created.map((k) => k.id).reverse());
    for (const item of list) {
      expect(item).not.toHaveProperty('key');
      expect(item).not.toHaveProperty('hash');
    }

    const test = (await json(await ks.admin('/v1/keys?environment=test'))).data as unknown as { id: string }[];
    expect(test.map((k) => k.id)).toEqual([created[1]?.id]);
    const bad = await ks.admin('/v1/keys?status=sleeping');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/^status: expected one of/);
  });

  it('404 for an unknown id', async () => {
    await using ks = await startKeystore();
    for (const [method, path] of [
      ['GET', '/v1/keys/key_nope'],
      ['PATCH', '/v1/keys/key_nope'],
      ['POST', '/v1/keys/key_nope/revoke'],
      ['POST', '/v1/keys/key_nope/roll'],
    ] as const) {
      const res = await ks.admin(path, { method, ...(method === 'PATCH' ? { json: { name: 'x' } } : {}) });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        success: false,
        statusCode: 404,
        message: 'Key not found',
        code: 'NOT_FOUND',
      });
    }
  });
});

describe('changing keys', () => {
  async function createKey(ks: Awaited<ReturnType<typeof startKeystore>>, body: object = {}) {
    const res = await ks.admin('/v1/keys', { method: 'POST', json: { environment: 'live', ...body } });
    return (await json(res)).data as { id: string; key: string };
  }

  it('PATCH renames and changes limits; null resets the limit; an event is written', async () => {
    await using ks = await startKeystore();
    const { id } = await createKey(ks, { rateLimit: { capacity: 5, refillPerSecond: 1 } });
    const renamed = await ks.admin(`/v1/keys/${id}`, { method: 'PATCH', json: { name: 'renamed' } });
    expect(renamed.status).toBe(200);
    expect((await json(renamed)).data).toMatchObject({
      name: 'renamed',
      rateLimit: { capacity: 5, refillPerSecond: 1 },
    });
    const reset = await ks.admin(`/v1/keys/${id}`, { method: 'PATCH', json: { rateLimit: null } });
    expect((await json(reset)).data).toMatchObject({ name: 'renamed', rateLimit: null });
    expect((await ks.store.eventsAfter(0, 10)).map((e) => e.type)).toEqual(['created', 'updated', 'updated']);
    const bad = await ks.admin(`/v1/keys/${id}`, { method: 'PATCH', json: { environment: 'test' } });
    expect(((await bad.json()) as { message: string }).message).toBe('environment: unknown field');
  });

  it('revoke is immediate and idempotent', async () => {
    await using ks = await startKeystore();
    const { id } = await createKey(ks);
    const first = await ks.admin(`/v1/keys/${id}/revoke`, { method: 'POST' });
    expect(first.status).toBe(200);
    const firstData = (await json(first)).data;
    expect(firstData).toMatchObject({ id, status: 'revoked', revokedAt: new Date(ks.clock.now()).toISOString() });
    ks.clock.advance(5000);
    const second = await ks.admin(`/v1/keys/${id}/revoke`, { method: 'POST' });
    expect(second.status).toBe(200);
    expect((await json(second)).data).toEqual(firstData);
    expect((await ks.store.eventsAfter(0, 10)).map((e) => e.type)).toEqual(['created', 'revoked']);
  });

  it('roll with a grace period: new key, same settings, old one expires later', async () => {
    await using ks = await startKeystore();
    const old = await createKey(ks, { name: 'prod', rateLimit: { capacity: 7, refillPerSecond: 3 } });
    const res = await ks.admin(`/v1/keys/${old.id}/roll`, { method: 'POST', json: { gracePeriodSeconds: 3600 } });
    expect(res.status).toBe(201);
    const next = (await json(res)).data as Record<string, unknown>;
    expect(next).toMatchObject({
      environment: 'live',
      name: 'prod',
      rateLimit: { capacity: 7, refillPerSecond: 3 },
      rolledFrom: old.id,
      status: 'active',
    });
    expect(next.id).not.toBe(old.id);
    expect(parse(next.key as string).ok).toBe(true);
    expect(next.key).not.toBe(old.key);

    const oldNow = (await json(await ks.admin(`/v1/keys/${old.id}`))).data;
    expect(oldNow).toMatchObject({
      status: 'expiring',
      expiresAt: new Date(ks.clock.now() + 3_600_000).toISOString(),
      revokedAt: null,
    });
    expect((await ks.store.eventsAfter(0, 10)).map((e) => [e.type, e.keyId])).toEqual([
      ['created', old.id],
      ['rolled', old.id],
      ['created', next.id],
    ]);

    ks.clock.advance(3_600_000);
    expect(await ks.app.keys.expireDue()).toBe(1);
    expect((await json(await ks.admin(`/v1/keys/${old.id}`))).data).toMatchObject({ status: 'expired' });
  });

  it('roll without grace revokes the old key at once; rolling a revoked key is 409', async () => {
    await using ks = await startKeystore();
    const old = await createKey(ks);
    const res = await ks.admin(`/v1/keys/${old.id}/roll`, { method: 'POST' });
    expect(res.status).toBe(201);
    expect((await json(await ks.admin(`/v1/keys/${old.id}`))).data).toMatchObject({ status: 'revoked' });

    const again = await ks.admin(`/v1/keys/${old.id}/roll`, { method: 'POST', json: {} });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { code: string }).code).toBe('CONFLICT');
  });

  it('roll validates gracePeriodSeconds', async () => {
    await using ks = await startKeystore();
    const old = await createKey(ks);
    for (const gracePeriodSeconds of [-1, 604_801, 1.5, '60']) {
      const res = await ks.admin(`/v1/keys/${old.id}/roll`, { method: 'POST', json: { gracePeriodSeconds } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toBe(
        'gracePeriodSeconds: expected an integer 0..604800',
      );
    }
  });
});
