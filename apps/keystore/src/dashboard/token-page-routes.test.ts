import { describe, expect, it } from 'vitest';
import { addUser, dashboardClient, PASSWORD } from '../testing/dashboard-client.ts';
import { startKeystore, type Harness } from '../testing/keystore-harness.ts';

const TOKEN = /<code id="new-token" class="secret" tabindex="0">(rmk_[0-9A-Za-z]{43})<\/code>/;

async function owner(ks: Harness) {
  await addUser(ks, 'owner@example.com');
  const client = dashboardClient(ks);
  await client.login('owner@example.com', PASSWORD);
  return client;
}

describe('the API tokens page', () => {
  it('creates a token shown once, lists it without the secret, and revokes it after a confirmation', async () => {
    await using ks = await startKeystore();
    const browser = await owner(ks);
    const empty = await (await browser.fetch('/tokens')).text();
    expect(empty).toContain('No API tokens yet');
    expect(empty).toContain('<option value="owner"');

    const shown = await browser.post('/tokens', { name: 'ci-deploy', role: 'developer' });
    expect(shown.status).toBe(200);
    expect(shown.headers.get('cache-control')).toBe('no-store');
    const token = TOKEN.exec(await shown.text())?.[1];
    expect(token).toBeDefined();
    const call = (path: string) => fetch(`${ks.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await call('/v1/keys')).status).toBe(200);

    const listed = await (await browser.fetch('/tokens')).text();
    expect(listed).toContain('ci-deploy');
    expect(listed).toContain('owner@example.com');
    expect(listed).not.toContain(token);
    const id = /data-token-id="(tok_[0-9A-Za-z]+)"/.exec(listed)?.[1];
    expect((await browser.fetch(`/tokens/${id}/revoke`)).status).toBe(200);
    const revoked = await browser.post(`/tokens/${id}/revoke`, {});
    expect(revoked.status).toBe(303);
    expect(revoked.headers.get('location')).toBe('/tokens?revoked=1');
    expect((await call('/v1/keys')).status).toBe(401);
    const after = await (await browser.fetch('/tokens?revoked=1')).text();
    expect(after).toContain('The token was revoked.');
    const audit = await ks.accounts.listAudit({ actions: ['token.created', 'token.revoked'], limit: 10 });
    expect(audit.map((e) => [e.action, e.actor, e.target])).toEqual([
      ['token.revoked', 'owner@example.com', id],
      ['token.created', 'owner@example.com', id],
    ]);
  });

  it('refuses a form without its CSRF token, and an empty name with a 400 naming it', async () => {
    await using ks = await startKeystore();
    const browser = await owner(ks);
    expect((await browser.post('/tokens', { name: 'x', role: 'viewer' }, { csrf: 'forged' })).status).toBe(403);
    const blank = await browser.post('/tokens', { name: '  ', role: 'viewer' });
    expect(blank.status).toBe(400);
    expect(await blank.text()).toContain('Name: expected a string of 1 to 100 characters');
    expect(await ks.accounts.listManagementTokens(undefined)).toEqual([]);
  });

  it("shows another account's token as not found", async () => {
    await using ks = await startKeystore();
    await ks.store.ensureAccount('acct_other', 'Other', ks.clock.now());
    const res = await ks.admin('/v1/tokens', {
      method: 'POST',
      json: { name: 'theirs', role: 'viewer', accountId: 'acct_other' },
    });
    const { id } = ((await res.json()) as { data: { id: string } }).data;
    const browser = await owner(ks);
    expect((await browser.fetch(`/tokens/${id}/revoke`)).status).toBe(404);
    expect((await browser.post(`/tokens/${id}/revoke`, {})).status).toBe(404);
    expect(await (await browser.fetch('/tokens')).text()).not.toContain('theirs');
  });

  it('is in the navigation', async () => {
    await using ks = await startKeystore();
    const browser = await owner(ks);
    expect(await (await browser.fetch('/keys')).text()).toContain('<a href="/tokens" >API tokens</a>');
  });
});
