import { describe, expect, it } from 'vitest';
import { addUser, dashboardClient, type DashboardClient } from '../testing/dashboard-client.ts';
import { startKeystore, type Harness } from '../testing/keystore-harness.ts';

type Body = { success: boolean; statusCode?: number; code?: string; message?: string; data?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- shapes differ per call; each test asserts its own

const read = async (res: Response) => (await res.json()) as Body;

async function twoAccounts(
  ks: Harness,
): Promise<{ a: DashboardClient; b: DashboardClient; accountA: string; accountB: string }> {
  const accountA = await addUser(ks, 'a@example.com');
  const accountB = await addUser(ks, 'b@example.com', 'acct_other');
  const a = dashboardClient(ks);
  const b = dashboardClient(ks);
  await a.login('a@example.com', 'correct horse battery staple');
  await b.login('b@example.com', 'correct horse battery staple');
  return { a, b, accountA, accountB };
}

describe('management API with a dashboard session', () => {
  it("works with the session cookie and the CSRF header; keys land in the session's account", async () => {
    await using ks = await startKeystore();
    const { a, accountA } = await twoAccounts(ks);
    const created = await a.api('POST', '/v1/keys', { environment: 'test', name: 'from-session' });
    expect(created.status).toBe(201);
    const data = (await read(created)).data;
    expect(data).toMatchObject({ accountId: accountA, name: 'from-session' });
    expect(typeof data.key).toBe('string');
    const listed = await read(await a.api('GET', '/v1/keys'));
    expect(listed.data.map((k: { id: string }) => k.id)).toEqual([data.id]);
    expect(JSON.stringify(listed)).not.toContain(data.key);
  });

  it('without a session or token: 401', async () => {
    await using ks = await startKeystore();
    const res = await fetch(`${ks.baseUrl}/v1/keys`, { headers: { cookie: 'routemcp_session=made-up' } });
    expect(res.status).toBe(401);
    expect((await read(res)).code).toBe('UNAUTHORIZED');
  });

  it.each([
    ['a missing CSRF header', null],
    ['a wrong CSRF header', 'not-the-token'],
  ])('refuses a state change with %s: 403 FORBIDDEN envelope, nothing changes', async (_label, csrf) => {
    await using ks = await startKeystore();
    const { a } = await twoAccounts(ks);
    const key = (await read(await a.api('POST', '/v1/keys', { environment: 'test' }))).data;
    for (const [method, path, body] of [
      ['POST', '/v1/keys', { environment: 'live' }],
      ['PATCH', `/v1/keys/${key.id}`, { name: 'x' }],
      ['POST', `/v1/keys/${key.id}/revoke`, undefined],
      ['POST', `/v1/keys/${key.id}/roll`, {}],
    ] as const) {
      const res = await a.api(method, path, body, { csrf });
      expect(res.status).toBe(403);
      expect(await res.text()).toBe(
        '{"success":false,"statusCode":403,"message":"Missing or invalid CSRF token","code":"FORBIDDEN"}',
      );
    }
    expect(await ks.store.listKeys({}, ks.clock.now())).toHaveLength(1);
    expect(await ks.store.getKey(key.id)).toMatchObject({ revokedAt: null, name: null });
  });

  it('refuses a cross-origin state change even with the right token', async () => {
    await using ks = await startKeystore();
    const { a } = await twoAccounts(ks);
    const res = await a.fetch('/v1/keys', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': a.csrfToken(), origin: 'https://evil.example' },
      body: JSON.stringify({ environment: 'live' }),
    });
    expect(res.status).toBe(403);
  });

  it('reads need no CSRF token', async () => {
    await using ks = await startKeystore();
    const { a } = await twoAccounts(ks);
    expect((await a.api('GET', '/v1/keys', undefined, { csrf: null })).status).toBe(200);
  });

  it("account B's session cannot list, get, change, revoke or roll A's key: 404, and A's key is untouched", async () => {
    await using ks = await startKeystore();
    const { a, b, accountA } = await twoAccounts(ks);
    const key = (await read(await a.api('POST', '/v1/keys', { environment: 'live', name: 'A-secret' }))).data;

    expect((await read(await b.api('GET', '/v1/keys'))).data).toEqual([]);
    expect((await read(await b.api('GET', `/v1/keys?accountId=${accountA}`))).data).toEqual([]);
    for (const [method, path, body] of [
      ['GET', `/v1/keys/${key.id}`, undefined],
      ['PATCH', `/v1/keys/${key.id}`, { name: 'pwned' }],
      ['POST', `/v1/keys/${key.id}/revoke`, undefined],
      ['POST', `/v1/keys/${key.id}/roll`, { gracePeriodSeconds: 0 }],
    ] as const) {
      const res = await b.api(method, path, body);
      expect(res.status).toBe(404);
      // The same answer as for an id that never existed.
      const unknown = await b.api(method, path.replace(key.id, 'key_000000000000000000000000'), body);
      expect(await res.text()).toBe(await unknown.text());
    }
    expect(await ks.store.getKey(key.id)).toMatchObject({ name: 'A-secret', revokedAt: null, expiresAt: null });
    expect(await ks.store.listKeys({}, ks.clock.now())).toHaveLength(1);
  });

  it('a session cannot create keys in another account', async () => {
    await using ks = await startKeystore();
    const { b, accountA } = await twoAccounts(ks);
    const res = await b.api('POST', '/v1/keys', { environment: 'live', accountId: accountA });
    expect(res.status).toBe(400);
    expect((await read(res)).message).toBe('accountId: unknown account');
  });

  it('the admin token still sees every account', async () => {
    await using ks = await startKeystore();
    const { a, b } = await twoAccounts(ks);
    await a.api('POST', '/v1/keys', { environment: 'live' });
    await b.api('POST', '/v1/keys', { environment: 'test' });
    expect((await read(await ks.admin('/v1/keys'))).data).toHaveLength(2);
  });

  it('writes an audit row for every key change, naming who and from where', async () => {
    await using ks = await startKeystore();
    const { a, accountA } = await twoAccounts(ks);
    const key = (await read(await a.api('POST', '/v1/keys', { environment: 'test' }))).data;
    await a.api('PATCH', `/v1/keys/${key.id}`, { name: 'renamed' });
    const rolled = (await read(await a.api('POST', `/v1/keys/${key.id}/roll`, { gracePeriodSeconds: 60 }))).data;
    await ks.admin(`/v1/keys/${rolled.id}/revoke`, { method: 'POST' });
    const rows = (await ks.accounts.listAudit({ accountId: accountA, limit: 20 })).filter((r) =>
      r.action.startsWith('key.'),
    );
    expect(rows.map((r) => [r.action, r.actor, r.target])).toEqual([
      ['key.revoked', 'operator', rolled.id],
      ['key.created', 'a@example.com', rolled.id],
      ['key.rolled', 'a@example.com', key.id],
      ['key.updated', 'a@example.com', key.id],
      ['key.created', 'a@example.com', key.id],
    ]);
    expect(rows.every((r) => r.address === '127.0.0.1' && r.at === ks.clock.now())).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(key.key);
  });
});
