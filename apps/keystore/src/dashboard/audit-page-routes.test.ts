import { describe, expect, it } from 'vitest';
import type { AuditAction } from '../accounts/account-store.ts';
import { addUser, dashboardClient, PASSWORD } from '../testing/dashboard-client.ts';
import { startKeystore, type Harness } from '../testing/keystore-harness.ts';

async function loggedIn(ks: Harness, email = 'dev@example.com', account?: string) {
  await addUser(ks, email, account);
  const browser = dashboardClient(ks);
  await browser.login(email, PASSWORD);
  return browser;
}

/** `count` entries in the account, actor `actor-<i>@example.com`, one a second after the clock. */
async function entries(ks: Harness, count: number, action: AuditAction = 'key.updated', accountId?: string) {
  for (let i = 0; i < count; i++) {
    await ks.accounts.appendAudit({
      accountId: accountId ?? ks.store.defaultAccountId,
      actor: `actor-${i}@example.com`,
      action,
      target: null,
      address: '192.0.2.1',
      at: ks.clock.now() + i * 1000,
    });
  }
}

const actors = (page: string) => [...page.matchAll(/<tr>\s*<td>([^<]+)<\/td>/g)].map((m) => m[1]);
const link = (page: string, rel: 'prev' | 'next') =>
  new RegExp(`rel="${rel}" href="([^"]+)"`).exec(page)?.[1]?.replaceAll('&amp;', '&');

describe('the Audit log page', () => {
  it('shows actor, action, target, address and time, newest first', async () => {
    await using ks = await startKeystore();
    const browser = await loggedIn(ks);
    await browser.post('/keys', { environment: 'test', name: 'ci', capacity: '', refill: '' });
    const res = await browser.fetch('/audit');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain(
      '<thead><tr><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Address</th><th scope="col">Time</th></tr></thead>',
    );
    expect(actors(page)).toEqual(['dev@example.com', 'dev@example.com']);
    expect(page.indexOf('Created key')).toBeLessThan(page.indexOf('Logged in'));
    expect(page).toMatch(/<a href="\/keys\/key_\w+"><code class="hint">sk_test_…\w{4}<\/code><\/a>/);
    expect(page).toContain('<code class="address">127.0.0.1</code>');
    expect(page).toContain(`<time datetime="${new Date(ks.clock.now()).toISOString()}">`);
    expect(page).toMatch(/<label for="actor">Actor<\/label>/);
    expect(page).toMatch(/<label for="action">Action<\/label><select id="action" name="action">/);
    expect(page).not.toContain('rel="next"');
  });

  it('filters by actor and by action, and says so when nothing matches', async () => {
    await using ks = await startKeystore();
    const browser = await loggedIn(ks);
    await entries(ks, 3);
    await entries(ks, 1, 'key.revoked');
    expect(actors(await (await browser.fetch('/audit?actor=actor-0%40example.com')).text())).toEqual([
      'actor-0@example.com',
      'actor-0@example.com',
    ]);
    const revoked = await (await browser.fetch('/audit?actor=&action=key.revoked')).text();
    expect(actors(revoked)).toEqual(['actor-0@example.com']);
    expect(revoked).toContain('<option value="key.revoked" selected>Revoked key</option>');
    const both = await (await browser.fetch('/audit?actor=actor-2%40example.com&action=key.revoked')).text();
    expect(both).toContain('No entries match these filters.');
    expect(both).toContain('value="actor-2@example.com"');
  });

  it('pages older and back newer, keeping the filter; each entry on one page', async () => {
    await using ks = await startKeystore();
    const browser = await loggedIn(ks);
    await entries(ks, 120);
    await entries(ks, 5, 'key.revoked');
    const filter = '/audit?action=key.updated';
    const first = await (await browser.fetch(filter)).text();
    expect(link(first, 'prev')).toBeUndefined();
    const seen = [actors(first)];
    let next = link(first, 'next');
    for (let guard = 0; guard < 5 && next !== undefined; guard++) {
      expect(next).toContain('action=key.updated');
      const page = await (await browser.fetch(next)).text();
      seen.push(actors(page));
      next = link(page, 'next');
    }
    expect(seen.map((p) => p.length)).toEqual([50, 50, 20]);
    const all = seen.flat();
    expect(new Set(all).size).toBe(120);
    expect(all[0]).toBe('actor-119@example.com');
    expect(all.at(-1)).toBe('actor-0@example.com');

    const last = await (await browser.fetch(link(first, 'next') as string)).text();
    const back = await (await browser.fetch(link(last, 'prev') as string)).text();
    expect(actors(back)).toEqual(seen[0]);
    expect(link(back, 'prev')).toBeUndefined();
  });

  it("never shows another account's entries", async () => {
    await using ks = await startKeystore();
    const browser = await loggedIn(ks);
    await entries(ks, 2, 'key.updated', 'acct_other');
    const page = await (await browser.fetch('/audit?actor=actor-0%40example.com')).text();
    expect(actors(page)).toEqual([]);
  });

  it('refuses a bad filter or cursor with a 400 page that names it', async () => {
    await using ks = await startKeystore();
    const browser = await loggedIn(ks);
    for (const [query, message] of [
      ['older=zzz', 'older: expected the nextCursor of a previous page'],
      ['newer=-1', 'newer: expected the nextCursor of a previous page'],
      ['action=%3Cscript%3E', 'action: expected one of the listed actions'],
    ] as const) {
      const res = await browser.fetch(`/audit?${query}`);
      expect(res.status).toBe(400);
      const page = await res.text();
      expect(page).toContain(`<p class="alert alert-error" role="alert">${message}`);
      expect(page).not.toContain('<script>');
    }
  });

  it('escapes what an entry holds', async () => {
    await using ks = await startKeystore();
    const browser = await loggedIn(ks);
    await ks.accounts.appendAudit({
      accountId: ks.store.defaultAccountId,
      actor: '<img src=x onerror=alert(1)>',
      action: 'login',
      target: '"><script>alert(1)</script>',
      address: null,
      at: ks.clock.now(),
    });
    const page = await (await browser.fetch('/audit')).text();
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<script>alert(1)');
  });

  it('sends a logged-out visitor to the login page', async () => {
    await using ks = await startKeystore();
    const res = await dashboardClient(ks).fetch('/audit');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
  });
});
