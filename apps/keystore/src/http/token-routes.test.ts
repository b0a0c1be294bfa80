import { createHash } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { addUser, dashboardClient, PASSWORD } from '../testing/dashboard-client.ts';
import { startKeystore, type Harness } from '../testing/keystore-harness.ts';
import { issuedTokenSchema, tokenViewSchema } from '../tokens/token-view.ts';

type Body = { success: boolean; code?: string; message?: string; data?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- shapes differ per call; each test asserts its own

const read = async (res: Response) => (await res.json()) as Body;

function bearer(ks: Harness, token: string) {
  return (path: string, init: { method?: string; json?: unknown } = {}) =>
    fetch(`${ks.baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });
}

/** Mints a token with the operator's token; returns its secret and id. */
async function mint(ks: Harness, body: { name: string; role: string; accountId?: string }) {
  const res = await ks.admin('/v1/tokens', { method: 'POST', json: body });
  expect(res.status).toBe(201);
  const { data } = await read(res);
  return { token: data.token as string, id: data.id as string, data };
}

function tokenRows(ks: Harness): Record<string, unknown>[] {
  const db = new DatabaseSync(ks.dbPath, { readOnly: true });
  try {
    return db.prepare('SELECT * FROM management_tokens').all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

describe('management tokens: minting and listing', () => {
  it('shows the token once, in the 201; the list and the database hold only its SHA-256', async () => {
    await using ks = await startKeystore();
    const { token, id, data } = await mint(ks, { name: 'ci-deploy', role: 'developer' });
    expect(token).toMatch(/^rmk_[0-9A-Za-z]{43}$/);
    expect(data).toEqual({
      id: expect.stringMatching(/^tok_[0-9A-Za-z]{16}$/),
      token,
      accountId: ks.store.defaultAccountId,
      name: 'ci-deploy',
      role: 'developer',
      createdBy: 'operator',
      createdAt: new Date(ks.clock.now()).toISOString(),
      lastUsedAt: null,
      revokedAt: null,
    });

    const listed = await read(await ks.admin('/v1/tokens'));
    expect(listed.data).toEqual([{ ...data, token: undefined }].map(({ token: _t, ...rest }) => rest));
    const sha = createHash('sha256').update(token).digest('hex');
    expect(JSON.stringify(listed)).not.toContain(token);
    expect(JSON.stringify(listed)).not.toContain(sha);

    const rows = tokenRows(ks);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id, token_hash: sha, role: 'developer', name: 'ci-deploy' });
    expect(JSON.stringify(rows)).not.toContain(token.slice(4));
  });

  it("answers in the OpenAPI document's exact shapes", async () => {
    await using ks = await startKeystore();
    const { id, data } = await mint(ks, { name: 'shape', role: 'viewer' });
    issuedTokenSchema.strict().parse(data);
    expect(Object.keys(data)).toEqual(['id', 'token', ...Object.keys(tokenViewSchema.shape).slice(1)]);
    for (const item of (await read(await ks.admin('/v1/tokens'))).data as unknown[])
      tokenViewSchema.strict().parse(item);
    tokenViewSchema.strict().parse((await read(await ks.admin(`/v1/tokens/${id}/revoke`, { method: 'POST' }))).data);
  });

  it.each([
    [{ name: '', role: 'viewer' }, 'name: expected a string of 1 to 100 characters'],
    [{ name: 'x', role: 'root' }, 'role: expected one of owner, admin, developer, viewer'],
    [{ name: 'x', role: 'viewer', accountId: 'acct_nowhere' }, 'accountId: unknown account'],
    [{ name: 'x', role: 'viewer', token: 'rmk_mine' }, 'token: unknown field'],
  ])('refuses %j with a 400 naming the field', async (body, message) => {
    await using ks = await startKeystore();
    const res = await ks.admin('/v1/tokens', { method: 'POST', json: body });
    expect(res.status).toBe(400);
    expect((await read(res)).message).toBe(message);
    expect(tokenRows(ks)).toEqual([]);
  });

  it('lets the operator mint for any existing account and list one account or all', async () => {
    await using ks = await startKeystore();
    await ks.store.ensureAccount('acct_other', 'Other', ks.clock.now());
    await mint(ks, { name: 'here', role: 'viewer' });
    await mint(ks, { name: 'there', role: 'owner', accountId: 'acct_other' });
    const names = async (path: string) =>
      ((await read(await ks.admin(path))).data as { name: string }[]).map((t) => t.name).sort();
    expect(await names('/v1/tokens')).toEqual(['here', 'there']);
    expect(await names('/v1/tokens?accountId=acct_other')).toEqual(['there']);
  });
});

describe('management tokens: calling with one', () => {
  it('a viewer token reads keys (200) and may not create one (403)', async () => {
    await using ks = await startKeystore();
    const viewer = bearer(ks, (await mint(ks, { name: 'dash', role: 'viewer' })).token);
    expect((await viewer('/v1/keys')).status).toBe(200);
    const refused = await viewer('/v1/keys', { method: 'POST', json: { environment: 'test' } });
    expect(refused.status).toBe(403);
    expect(await read(refused)).toMatchObject({ success: false, code: 'FORBIDDEN' });
    expect(await ks.store.latestSeq()).toBe(0);
  });

  it('a developer token creates a key (no CSRF: a header is no cookie), audited as token:<name>', async () => {
    await using ks = await startKeystore();
    const developer = bearer(ks, (await mint(ks, { name: 'ci-deploy', role: 'developer' })).token);
    const created = await developer('/v1/keys', { method: 'POST', json: { environment: 'test', name: 'from-ci' } });
    expect(created.status).toBe(201);
    const { data } = await read(created);
    expect(data.accountId).toBe(ks.store.defaultAccountId);
    const audit = await ks.accounts.listAudit({ actions: ['key.created'], limit: 10 });
    expect(audit.map((e) => [e.actor, e.target])).toEqual([['token:ci-deploy', data.id]]);
  });

  it('a developer or admin token may not mint tokens; an owner token may mint an owner token', async () => {
    await using ks = await startKeystore();
    for (const role of ['admin', 'developer', 'viewer']) {
      const call = bearer(ks, (await mint(ks, { name: role, role })).token);
      for (const wanted of ['owner', 'viewer']) {
        const res = await call('/v1/tokens', { method: 'POST', json: { name: 'more', role: wanted } });
        expect([role, wanted, res.status]).toEqual([role, wanted, 403]);
      }
    }
    const owner = bearer(ks, (await mint(ks, { name: 'root-bot', role: 'owner' })).token);
    const minted = await owner('/v1/tokens', { method: 'POST', json: { name: 'second', role: 'owner' } });
    expect(minted.status).toBe(201);
    expect((await read(minted)).data.createdBy).toBe('token:root-bot');
  });

  it('an admin token lists tokens (members.read) but never sees a secret', async () => {
    await using ks = await startKeystore();
    const { token } = await mint(ks, { name: 'ops', role: 'admin' });
    const res = await bearer(ks, token)('/v1/tokens');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('"name":"ops"');
    expect(text).not.toContain(token);
  });

  it('is confined to its account: other keys are not listed, are 404, and cannot be created there', async () => {
    await using ks = await startKeystore();
    await ks.store.ensureAccount('acct_other', 'Other', ks.clock.now());
    const theirs = await read(await ks.admin('/v1/keys', { method: 'POST', json: { environment: 'test' } }));
    const theirToken = await mint(ks, { name: 'their-bot', role: 'owner' });
    const ours = bearer(ks, (await mint(ks, { name: 'our-bot', role: 'owner', accountId: 'acct_other' })).token);

    expect((await read(await ours('/v1/keys'))).data).toEqual([]);
    expect((await read(await ours(`/v1/keys?accountId=${ks.store.defaultAccountId}`))).data).toEqual([]);
    expect((await ours(`/v1/keys/${theirs.data.id}`)).status).toBe(404);
    expect((await ours(`/v1/keys/${theirs.data.id}/revoke`, { method: 'POST' })).status).toBe(404);
    const elsewhere = await ours('/v1/keys', {
      method: 'POST',
      json: { environment: 'test', accountId: ks.store.defaultAccountId },
    });
    expect(elsewhere.status).toBe(400);
    expect(((await read(await ours('/v1/tokens'))).data as { name: string }[]).map((t) => t.name)).toEqual(['our-bot']);
    expect((await ours(`/v1/tokens/${theirToken.id}/revoke`, { method: 'POST' })).status).toBe(404);
    expect((await bearer(ks, theirToken.token)('/v1/keys')).status).toBe(200);
    const mine = await read(await ours('/v1/keys', { method: 'POST', json: { environment: 'test' } }));
    expect(mine.data.accountId).toBe('acct_other');
    const audit = (await read(await ours('/v1/audit-log'))).data.entries as { accountId: string; target: string }[];
    expect(audit.map((e) => [e.accountId, e.target])).toEqual([
      ['acct_other', mine.data.id],
      ['acct_other', expect.stringMatching(/^tok_/)],
    ]);
  });

  it("wins over a session cookie sent with it: the call is the token's, not the session's", async () => {
    await using ks = await startKeystore();
    await addUser(ks, 'owner@example.com');
    const browser = dashboardClient(ks);
    await browser.login('owner@example.com', PASSWORD);
    const { token } = await mint(ks, { name: 'viewer-bot', role: 'viewer' });
    const res = await browser.fetch('/v1/keys', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'x-csrf-token': browser.csrfToken(),
      },
      body: JSON.stringify({ environment: 'test' }),
    });
    expect(res.status).toBe(403);
    expect(await ks.store.latestSeq()).toBe(0);
  });

  it.each([
    ['an unknown rmk_ token', `rmk_${'A'.repeat(43)}`],
    ['a malformed one', 'rmk_short'],
    ['an API key', 'sk_live_notamanagementtoken'],
  ])('refuses %s with 401', async (_label, token) => {
    await using ks = await startKeystore();
    const res = await bearer(ks, token)('/v1/keys');
    expect(res.status).toBe(401);
    expect((await read(res)).code).toBe('UNAUTHORIZED');
  });

  it('records last use at most once a minute', async () => {
    await using ks = await startKeystore();
    const { token, id } = await mint(ks, { name: 'poller', role: 'viewer' });
    const call = bearer(ks, token);
    const lastUsed = async () => (await ks.accounts.getManagementToken(id))?.lastUsedAt;
    const t0 = ks.clock.now();
    await call('/v1/keys');
    expect(await lastUsed()).toBe(t0);
    ks.clock.advance(59_000);
    await call('/v1/keys');
    expect(await lastUsed()).toBe(t0);
    ks.clock.advance(1_000);
    await call('/v1/keys');
    expect(await lastUsed()).toBe(t0 + 60_000);
    const listed = (await read(await ks.admin('/v1/tokens'))).data[0];
    expect(listed.lastUsedAt).toBe(new Date(t0 + 60_000).toISOString());
  });
});

describe('management tokens: revoking', () => {
  it('a revoked token is refused at its next call (401), and revoking again answers the same without a second event', async () => {
    await using ks = await startKeystore();
    const { token, id } = await mint(ks, { name: 'leaked', role: 'developer' });
    const call = bearer(ks, token);
    expect((await call('/v1/keys')).status).toBe(200);
    const revoked = await ks.admin(`/v1/tokens/${id}/revoke`, { method: 'POST' });
    expect(revoked.status).toBe(200);
    expect((await read(revoked)).data.revokedAt).toBe(new Date(ks.clock.now()).toISOString());
    expect((await call('/v1/keys')).status).toBe(401);
    expect((await call('/v1/keys', { method: 'POST', json: { environment: 'test' } })).status).toBe(401);
    expect((await ks.admin(`/v1/tokens/${id}/revoke`, { method: 'POST' })).status).toBe(200);
    const audit = await ks.accounts.listAudit({ actions: ['token.created', 'token.revoked'], limit: 10 });
    expect(audit.map((e) => [e.action, e.actor, e.target])).toEqual([
      ['token.revoked', 'operator', id],
      ['token.created', 'operator', id],
    ]);
  });

  it('an unknown id is 404', async () => {
    await using ks = await startKeystore();
    expect((await ks.admin('/v1/tokens/tok_nothing/revoke', { method: 'POST' })).status).toBe(404);
  });
});

describe('management tokens from a dashboard session', () => {
  it("an owner's session mints (with its CSRF token) and revokes; created by its email", async () => {
    await using ks = await startKeystore();
    await addUser(ks, 'owner@example.com');
    const owner = dashboardClient(ks);
    await owner.login('owner@example.com', PASSWORD);
    expect((await owner.api('POST', '/v1/tokens', { name: 'ci', role: 'admin' }, { csrf: null })).status).toBe(403);
    const created = await owner.api('POST', '/v1/tokens', { name: 'ci', role: 'admin' });
    expect(created.status).toBe(201);
    const { data } = await read(created);
    expect(data.createdBy).toBe('owner@example.com');
    expect((await bearer(ks, data.token)('/v1/keys')).status).toBe(200);
    expect((await owner.api('POST', `/v1/tokens/${data.id}/revoke`)).status).toBe(200);
    const audit = await ks.accounts.listAudit({ actions: ['token.created', 'token.revoked'], limit: 10 });
    expect(audit.map((e) => [e.action, e.actor])).toEqual([
      ['token.revoked', 'owner@example.com'],
      ['token.created', 'owner@example.com'],
    ]);
  });
});

describe('management tokens stay secret', () => {
  it('never appear in the log or in an audit row', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    await using ks = await startKeystore({ logger });
    const { token, id } = await mint(ks, { name: 'bot', role: 'owner' });
    const call = bearer(ks, token);
    await call('/v1/keys', { method: 'POST', json: { environment: 'test' } });
    await call('/v1/tokens', { method: 'POST', json: { name: 'child', role: 'viewer' } });
    await call(`/v1/tokens/${id}/revoke`, { method: 'POST' });
    await call('/v1/keys');
    const sha = createHash('sha256').update(token).digest('hex');
    const audit = JSON.stringify(await ks.accounts.listAudit({ limit: 100 }));
    expect(lines.length).toBeGreaterThan(4);
    expect(audit).toContain('token:bot');
    for (const text of [lines.join(''), audit]) {
      expect(text).not.toContain(token.slice(4));
      expect(text).not.toContain(sha);
    }
  });
});
