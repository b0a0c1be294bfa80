import { describe, expect, it } from 'vitest';
import { encodeCursor } from '../audit/audit-cursor.ts';
import { auditPageSchema } from '../audit/audit-view.ts';
import { addUser, dashboardClient } from '../testing/dashboard-client.ts';
import { startKeystore, type Harness } from '../testing/keystore-harness.ts';

interface Page {
  entries: { seq: number; accountId: string | null; actor: string; action: string; target: string | null }[];
  nextCursor: string | null;
}

const page = async (res: Response): Promise<Page> => {
  expect(res.status).toBe(200);
  const body = (await res.json()) as { success: boolean; data: unknown };
  expect(body.success).toBe(true);
  return auditPageSchema.strict().parse(body.data);
};

/** Three keys made by the operator in the default account, one revoked: four entries. */
async function someKeys(ks: Harness): Promise<string[]> {
  const ids: string[] = [];
  for (const name of ['a', 'b', 'c']) {
    const res = await ks.admin('/v1/keys', { method: 'POST', json: { environment: 'test', name } });
    ids.push(((await res.json()) as { data: { id: string } }).data.id);
  }
  await ks.admin(`/v1/keys/${ids[0]}/revoke`, { method: 'POST' });
  return ids;
}

describe('GET /v1/audit-log', () => {
  it('answers entries newest first in the envelope, in the documented shape', async () => {
    await using ks = await startKeystore();
    const [a, b, c] = await someKeys(ks);
    const { entries, nextCursor } = await page(await ks.admin('/v1/audit-log'));
    expect(entries.map((e) => [e.actor, e.action, e.target])).toEqual([
      ['operator', 'key.revoked', a],
      ['operator', 'key.created', c],
      ['operator', 'key.created', b],
      ['operator', 'key.created', a],
    ]);
    expect(entries[0]).toMatchObject({ accountId: ks.store.defaultAccountId, address: '127.0.0.1' });
    expect(new Date((entries[0] as unknown as { at: string }).at).getTime()).toBe(ks.clock.now());
    expect(nextCursor).toBeNull();
  });

  it('pages with limit and nextCursor until null, each entry once', async () => {
    await using ks = await startKeystore();
    await someKeys(ks);
    await someKeys(ks);
    const all = (await page(await ks.admin('/v1/audit-log'))).entries.map((e) => e.seq);
    expect(all).toHaveLength(8);
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const query: string = cursor === null ? '?limit=3' : `?limit=3&cursor=${cursor}`;
      const next = await page(await ks.admin(`/v1/audit-log${query}`));
      seen.push(...next.entries.map((e) => e.seq));
      cursor = next.nextCursor;
      if (cursor === null) break;
    }
    expect(seen).toEqual(all);
  });

  it('filters by actor, one or several actions, target and time', async () => {
    await using ks = await startKeystore();
    const [a] = await someKeys(ks);
    const actions = async (query: string) =>
      (await page(await ks.admin(`/v1/audit-log?${query}`))).entries.map((e) => e.action);
    expect(await actions(`target=${a}`)).toEqual(['key.revoked', 'key.created']);
    expect(await actions('action=key.revoked')).toEqual(['key.revoked']);
    expect(await actions('action=key.revoked&action=key.created')).toHaveLength(4);
    expect(await actions('action=key.revoked,key.rolled')).toEqual(['key.revoked']);
    expect(await actions('actor=operator&action=login')).toEqual([]);
    expect(await actions('actor=someone@example.com')).toEqual([]);
    const now = new Date(ks.clock.now()).toISOString();
    expect(await actions(`since=${now}`)).toHaveLength(4);
    expect(await actions(`until=${now}`)).toEqual([]);
  });

  it.each([
    ['limit=0', 'limit: expected an integer 1..200'],
    ['limit=201', 'limit: expected an integer 1..200'],
    ['limit=ten', 'limit: expected an integer 1..200'],
    ['cursor=not-a-cursor', 'cursor: expected the nextCursor of a previous page'],
    ['since=yesterday', 'since: expected an ISO-8601 time, e.g. 2026-12-01T00:00:00Z'],
    ['until=2026-13-01', 'until: expected an ISO-8601 time, e.g. 2026-12-01T00:00:00Z'],
    ['action=DROP TABLE', 'action.0: expected actions such as key.created,login.failed'],
    ['action=,', 'action: expected at least one action'],
    ['accountId=a b', 'accountId: expected 1-64 characters from A-Z a-z 0-9 _ -'],
    ['actor=', 'actor: expected an actor'],
    ['sort=asc', 'sort: unknown field'],
  ])('refuses %s with a 400 naming the field', async (query, message) => {
    await using ks = await startKeystore();
    const res = await ks.admin(`/v1/audit-log?${query.replace(' ', '%20')}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ success: false, statusCode: 400, message, code: 'BAD_REQUEST' });
  });

  it('shows a session its own account only, whatever accountId or cursor it sends; the operator sees all or one', async () => {
    await using ks = await startKeystore();
    const mine = await addUser(ks, 'a@example.com');
    const other = await addUser(ks, 'b@example.com', 'acct_other');
    const a = dashboardClient(ks);
    const b = dashboardClient(ks);
    await a.login('a@example.com', 'correct horse battery staple');
    await b.login('b@example.com', 'correct horse battery staple');
    await a.api('POST', '/v1/keys', { environment: 'test' });
    await b.api('POST', '/v1/keys', { environment: 'test' });

    const accounts = (p: Page) => [...new Set(p.entries.map((e) => e.accountId))];
    expect(accounts(await page(await a.api('GET', '/v1/audit-log')))).toEqual([mine]);
    expect((await page(await a.api('GET', `/v1/audit-log?accountId=${other}`))).entries).toEqual([]);
    // A cursor past every entry of both accounts: still only the caller's own.
    const beyond = encodeCursor(1_000_000);
    expect(accounts(await page(await b.api('GET', `/v1/audit-log?cursor=${beyond}`)))).toEqual([other]);

    expect(accounts(await page(await ks.admin('/v1/audit-log'))).sort()).toEqual([mine, other].sort());
    expect(accounts(await page(await ks.admin(`/v1/audit-log?accountId=${other}`)))).toEqual([other]);
  });

  it('needs a credential', async () => {
    await using ks = await startKeystore();
    expect((await fetch(`${ks.baseUrl}/v1/audit-log`)).status).toBe(401);
    expect((await ks.service('/v1/audit-log')).status).toBe(401);
  });
});
