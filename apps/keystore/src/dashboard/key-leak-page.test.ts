import { describe, expect, it } from 'vitest';
import { addUser, dashboardClient, PASSWORD } from '../testing/dashboard-client.ts';
import { startKeystore, type Harness } from '../testing/keystore-harness.ts';

/** A URL as a reporter may send it: the page must show it as text, never as markup. */
const FOUND = 'https://example.com/paste/<script>alert(1)</script>';

async function issue(ks: Harness, environment: 'live' | 'test', accountId?: string) {
  const res = await ks.admin('/v1/keys', { method: 'POST', json: { environment, accountId } });
  return ((await res.json()) as { data: { id: string; key: string } }).data;
}

describe('a leaked key in the dashboard', () => {
  it("a session reports its account's key: Leaked badge with where it was found, an audit entry by that user; another account's key is not flagged", async () => {
    await using ks = await startKeystore();
    const own = await issue(ks, 'live');
    const theirs = await issue(ks, 'live', 'acct_other');
    await addUser(ks, 'dev@example.com');
    const browser = dashboardClient(ks);
    await browser.login('dev@example.com', PASSWORD);

    const before = await (await browser.fetch(`/keys/${own.id}`)).text();
    expect(before).not.toContain('badge-leaked');
    const res = await browser.api('POST', '/v1/leaks', { keys: [own.key, theirs.key], url: FOUND, source: 'gitleaks' });
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: { label: string; keyId: string | null }[] };
    expect(data.map((r) => [r.label, r.keyId])).toEqual([
      ['true_positive', own.id],
      ['false_positive', null],
    ]);
    expect((await ks.store.getKey(theirs.id))?.leak).toBeNull();

    const page = await (await browser.fetch(`/keys/${own.id}`)).text();
    expect(page).toContain('<span class="badge badge-leaked" title="Reported found in public">Leaked</span>');
    expect(page).toContain('https://example.com/paste/&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('(gitleaks)');
    expect(await (await browser.fetch('/keys')).text()).toContain('badge-leaked');
    const audit = await (await browser.fetch('/audit')).text();
    expect(audit).toContain('Key reported leaked');
    const entries = await ks.accounts.listAudit({ limit: 10 });
    expect(entries.filter((e) => e.action === 'key.leaked').map((e) => [e.actor, e.target])).toEqual([
      ['dev@example.com', own.id],
    ]);
  });

  it('refuses a session report without its CSRF token', async () => {
    await using ks = await startKeystore();
    const own = await issue(ks, 'test');
    await addUser(ks, 'dev@example.com');
    const browser = dashboardClient(ks);
    await browser.login('dev@example.com', PASSWORD);
    const res = await browser.api('POST', '/v1/leaks', { keys: [own.key], url: FOUND, source: 'x' }, { csrf: null });
    expect(res.status).toBe(403);
    expect((await ks.store.getKey(own.id))?.leak).toBeNull();
  });
});
