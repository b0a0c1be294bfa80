import { describe, expect, it } from 'vitest';
import { hash } from '@routemcp/api-key';
import { makeTestKey } from '@routemcp/api-key/testing';
import { keyLookupResponseSchema } from '@routemcp/internal-api';
import { ADMIN_TOKEN, startKeystore, type Harness } from '../testing/keystore-harness.ts';

async function createKey(ks: Harness, body: object = {}): Promise<{ id: string; key: string; accountId: string }> {
  const res = await ks.admin('/v1/keys', { method: 'POST', json: { environment: 'live', ...body } });
  return ((await res.json()) as { data: { id: string; key: string; accountId: string } }).data;
}

describe('GET /internal/v1/keys/:hash', () => {
  it('answers the documented shape', async () => {
    await using ks = await startKeystore();
    const created = await createKey(ks, { rateLimit: { capacity: 100, refillPerSecond: 10 } });
    const res = await ks.service(`/internal/v1/keys/${hash(created.key)}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      success: true,
      data: {
        id: created.id,
        accountId: created.accountId,
        environment: 'live',
        status: 'active',
        expiresAt: null,
        rateLimit: { capacity: 100, refillPerSecond: 10 },
        ownerId: null,
        permissions: null,
        allowedIps: null,
        rateLimits: null,
        quota: null,
        metadata: null,
      },
    });
  });

  it('answers every policy, the quota with what was admitted in the current UTC period', async () => {
    await using ks = await startKeystore();
    ks.clock.set(Date.parse('2026-12-15T10:30:00.000Z'));
    const created = await createKey(ks, {
      ownerId: 'cust_42',
      permissions: ['get /api/v1/contacts', '* /api/v1/**'],
      allowedIps: ['10.0.0.0/8', '2001:DB8::/32'],
      rateLimits: [{ name: 'burst', capacity: 10, refillPerSecond: 5 }],
      quota: { limit: 1000, period: 'month' },
      metadata: { plan: 'pro' },
    });
    const lastUsedAt = new Date(ks.clock.now()).toISOString();
    await ks.service('/internal/v1/usage', {
      method: 'POST',
      json: { entries: [{ keyId: created.id, requests: 15, rateLimited: 3, admitted: 12, lastUsedAt }] },
    });
    const res = await ks.service(`/internal/v1/keys/${hash(created.key)}`);
    const body = await res.json();
    expect(body).toEqual({
      success: true,
      data: {
        id: created.id,
        accountId: created.accountId,
        environment: 'live',
        status: 'active',
        expiresAt: null,
        rateLimit: null,
        ownerId: 'cust_42',
        permissions: ['GET /api/v1/contacts', '* /api/v1/**'],
        allowedIps: ['10.0.0.0/8', '2001:db8::/32'],
        rateLimits: [{ name: 'burst', capacity: 10, refillPerSecond: 5, shared: false, shadow: false }],
        quota: { limit: 1000, period: 'month', shared: false, used: 12, periodStart: '2026-12-01T00:00:00.000Z' },
        metadata: { plan: 'pro' },
      },
    });
    // What the proxy parses it with.
    expect(keyLookupResponseSchema.parse(body)).toEqual(body);

    ks.clock.set(Date.parse('2027-01-01T00:00:00.000Z'));
    expect(await (await ks.service(`/internal/v1/keys/${hash(created.key)}`)).json()).toMatchObject({
      data: { quota: { used: 0, periodStart: '2027-01-01T00:00:00.000Z' } },
    });
  });

  it('reports revoked keys, and a rolled key with the end of its grace period', async () => {
    await using ks = await startKeystore();
    const revoked = await createKey(ks);
    await ks.admin(`/v1/keys/${revoked.id}/revoke`, { method: 'POST' });
    expect(await (await ks.service(`/internal/v1/keys/${hash(revoked.key)}`)).json()).toMatchObject({
      data: { status: 'revoked' },
    });

    const rolled = await createKey(ks);
    await ks.admin(`/v1/keys/${rolled.id}/roll`, { method: 'POST', json: { gracePeriodSeconds: 60 } });
    expect(await (await ks.service(`/internal/v1/keys/${hash(rolled.key)}`)).json()).toMatchObject({
      data: { status: 'active', expiresAt: new Date(ks.clock.now() + 60_000).toISOString(), rateLimit: null },
    });
  });

  it('404 for an unknown hash, 400 for anything but 64 lowercase hex', async () => {
    await using ks = await startKeystore();
    const unknown = await ks.service(`/internal/v1/keys/${makeTestKey().hash}`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { code: string }).code).toBe('NOT_FOUND');
    for (const bad of ['abc', 'A'.repeat(64), `${'a'.repeat(63)}g`]) {
      const res = await ks.service(`/internal/v1/keys/${bad}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe('BAD_REQUEST');
    }
  });

  it('401 UNAUTHORIZED without the service token (the admin token is not enough)', async () => {
    await using ks = await startKeystore();
    for (const headers of [{}, { authorization: `Bearer ${ADMIN_TOKEN}` }]) {
      for (const path of [`/internal/v1/keys/${'a'.repeat(64)}`, '/internal/v1/events', '/internal/v1/usage']) {
        const res = await fetch(`${ks.baseUrl}${path}`, { headers, method: path.endsWith('usage') ? 'POST' : 'GET' });
        expect(res.status).toBe(401);
        expect(await res.text()).toBe(
          '{"success":false,"statusCode":401,"message":"Authentication required","code":"UNAUTHORIZED"}',
        );
      }
    }
  });
});

describe('POST /internal/v1/usage', () => {
  it('202, adds the counts and updates lastUsedAt', async () => {
    await using ks = await startKeystore();
    const created = await createKey(ks);
    const lastUsedAt = new Date(ks.clock.now() - 1000).toISOString();
    const res = await ks.service('/internal/v1/usage', {
      method: 'POST',
      json: { entries: [{ keyId: created.id, requests: 12, rateLimited: 1, lastUsedAt }] },
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ success: true, data: { recorded: 1 } });
    const view = (await (await ks.admin(`/v1/keys/${created.id}`)).json()) as { data: { lastUsedAt: string } };
    expect(view.data.lastUsedAt).toBe(lastUsedAt);
  });

  it('stores admitted per key and hour; an entry without it counts requests - rateLimited', async () => {
    await using ks = await startKeystore();
    const created = await createKey(ks);
    const lastUsedAt = new Date(ks.clock.now()).toISOString();
    const post = (entry: object) =>
      ks.service('/internal/v1/usage', {
        method: 'POST',
        json: { entries: [{ keyId: created.id, lastUsedAt, ...entry }] },
      });
    expect((await post({ requests: 10, rateLimited: 4, admitted: 5 })).status).toBe(202);
    expect((await post({ requests: 7, rateLimited: 2 })).status).toBe(202);
    expect(await ks.accounts.usageSince([created.id], 0)).toEqual([
      { keyId: created.id, hour: ks.clock.now(), requests: 17, rateLimited: 6, admitted: 10 },
    ]);
  });

  it('400 names the bad field', async () => {
    await using ks = await startKeystore();
    const res = await ks.service('/internal/v1/usage', {
      method: 'POST',
      json: { entries: [{ keyId: 'key_x', requests: -1, rateLimited: 0, lastUsedAt: new Date().toISOString() }] },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/^entries\.0\.requests: /);
  });
});
