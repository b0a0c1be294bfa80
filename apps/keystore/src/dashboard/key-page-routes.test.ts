import { describe, expect, it } from 'vitest';
import { addUser, dashboardClient, PASSWORD } from '../testing/dashboard-client.ts';
import { startKeystore, type Harness } from '../testing/keystore-harness.ts';

const KEY = /<code id="new-key"[^>]*>(sk_(?:live|test)_[0-9A-Za-z]+)<\/code>/;

async function loggedIn(ks: Harness, email = 'dev@example.com', account?: string) {
  await addUser(ks, email, account);
  const browser = dashboardClient(ks);
  await browser.login(email, PASSWORD);
  return browser;
}

describe('dashboard key pages', () => {
  it('Generate New Key shows the key once (no-store), and never again on any page', async () => {
    await using ks = await startKeystore();
    const browser = await loggedIn(ks);
    const form = await (await browser.fetch('/keys/new')).text();
    expect(form).toMatch(/<input type="radio" name="environment" value="test" checked>/);
    const res = await browser.post('/keys', { environment: 'test', name: 'ci', capacity: '', refill: '' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const page = await res.text();
    const key = KEY.exec(page)?.[1] ?? '';
    expect(key).toMatch(/^sk_test_/);
    expect(page).toContain('This key will not be shown again.');
    expect(page).toContain('data-copy="new-key"');
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.getSetCookie().join('')).not.toContain(key);

    const id = (await ks.store.listKeys({}, ks.clock.now()))[0]?.id ?? '';
    for (const path of ['/keys', `/keys?created=${id}`, `/keys/${id}`, '/audit']) {
      const html = await (await browser.fetch(path)).text();
      expect(html).not.toContain(key);
      expect(html).not.toContain(key.slice(8, -4));
    }
    expect(await (await browser.fetch(`/keys?created=${id}`)).text()).toContain(
      `<code>sk_test_…${key.slice(-4)}</code> was created`,
    );
  });

  it('re-renders the form with a message naming the field on bad input', async () => {
    await using ks = await startKeystore();
    const browser = await loggedIn(ks);
    const res = await browser.post('/keys', { environment: 'live', name: 'x', capacity: 'abc', refill: '1' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Burst: expected an integer 1..1000000');
    expect(await ks.store.listKeys({}, ks.clock.now())).toHaveLength(0);
  });

  it('lists name, environment badge, hint, status; edits name and limits', async () => {
    await using ks = await startKeystore();
    const browser = await loggedIn(ks);
    await browser.post('/keys', { environment: 'live', name: 'billing' });
    const key = (await ks.store.listKeys({}, ks.clock.now()))[0]!;
    const list = await (await browser.fetch('/keys')).text();
    expect(list).toContain('class="badge badge-live">Live</span>');
    expect(list).toContain(`<code class="hint">${key.hint}</code>`);
    expect(list).toContain('status-active');
    const saved = await browser.post(`/keys/${key.id}`, { name: 'billing-v2', capacity: '10', refill: '0.5' });
    expect(saved.headers.get('location')).toBe(`/keys/${key.id}?saved=1`);
    expect(await ks.store.getKey(key.id)).toMatchObject({
      name: 'billing-v2',
      rateLimit: { capacity: 10, refillPerSecond: 0.5 },
    });
  });

  it('revokes only through the confirmation form with a valid CSRF token', async () => {
    await using ks = await startKeystore();
    const browser = await loggedIn(ks);
    await browser.post('/keys', { environment: 'test' });
    const key = (await ks.store.listKeys({}, ks.clock.now()))[0]!;
    const confirm = await (await browser.fetch(`/keys/${key.id}/revoke`)).text();
    expect(confirm).toContain('Revoke this key?');
    expect((await ks.store.getKey(key.id))?.revokedAt).toBeNull();

    const forged = await browser.post(`/keys/${key.id}/revoke`, {}, { csrf: 'wrong' });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('This form has expired');
    expect((await browser.post(`/keys/${key.id}/revoke`, {}, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await ks.store.getKey(key.id))?.revokedAt).toBeNull();

    const done = await browser.post(`/keys/${key.id}/revoke`, {});
    expect(done.headers.get('location')).toBe(`/keys?revoked=${key.id}`);
    expect((await ks.store.getKey(key.id))?.revokedAt).toBe(ks.clock.now());
    expect(await (await browser.fetch('/keys')).text()).toContain('status-revoked');
  });

  it('rolls with a grace period: new key shown once, the old one expiring', async () => {
    await using ks = await startKeystore();
    const browser = await loggedIn(ks);
    await browser.post('/keys', { environment: 'live', name: 'api' });
    const old = (await ks.store.listKeys({}, ks.clock.now()))[0]!;
    const res = await browser.post(`/keys/${old.id}/roll`, { grace: '86400' });
    expect(res.status).toBe(200);
    expect(KEY.exec(await res.text())?.[1]).toMatch(/^sk_live_/);
    expect((await ks.store.getKey(old.id))?.expiresAt).toBe(ks.clock.now() + 86_400_000);
    const custom = await browser.post(`/keys/${old.id}/roll`, { grace: 'custom', customHours: '999' });
    expect(custom.status).toBe(400);
  });

  it("another account's key page is a 404 like a missing one", async () => {
    await using ks = await startKeystore();
    const a = await loggedIn(ks, 'a@example.com');
    const b = await loggedIn(ks, 'b@example.com', 'acct_b');
    await a.post('/keys', { environment: 'live', name: 'A-only' });
    const key = (await ks.store.listKeys({}, ks.clock.now()))[0]!;
    expect(await (await b.fetch('/keys')).text()).not.toContain('A-only');
    expect((await b.fetch(`/keys/${key.id}`)).status).toBe(404);
    expect((await b.fetch(`/keys/${key.id}/revoke`)).status).toBe(404);
    expect((await b.post(`/keys/${key.id}/revoke`, {})).status).toBe(404);
    expect((await b.post(`/keys/${key.id}/roll`, { grace: '0' })).status).toBe(404);
    expect(await ks.store.getKey(key.id)).toMatchObject({ revokedAt: null, expiresAt: null });
    expect(await (await b.fetch('/audit')).text()).not.toContain('a@example.com');
  });

  it('shows usage reported by proxies: last used and the 24 h chart', async () => {
    await using ks = await startKeystore();
    const browser = await loggedIn(ks);
    await browser.post('/keys', { environment: 'test' });
    const key = (await ks.store.listKeys({}, ks.clock.now()))[0]!;
    const lastUsedAt = new Date(ks.clock.now() - 5 * 60_000).toISOString();
    await ks.service('/internal/v1/usage', {
      method: 'POST',
      json: { entries: [{ keyId: key.id, requests: 42, rateLimited: 3, lastUsedAt }] },
    });
    const page = await (await browser.fetch(`/keys/${key.id}`)).text();
    expect(page).toContain('aria-label="Last 24 hours: 42 requests, 3 rate-limited (429)"');
    expect(page).toContain(`<time datetime="${lastUsedAt}"`);
    expect(page).toContain('5 minutes ago');
    expect(await (await browser.fetch('/keys')).text()).toContain('42');
  });

  it('the audit page lists key events with who, what, when and the address', async () => {
    await using ks = await startKeystore();
    const browser = await loggedIn(ks);
    await browser.post('/keys', { environment: 'test' });
    const page = await (await browser.fetch('/audit')).text();
    expect(page).toContain('Created key');
    expect(page).toContain('Logged in');
    expect(page).toContain('dev@example.com');
    expect(page).toContain('<code class="address">127.0.0.1</code>');
  });

  it('serves its stylesheet and script itself', async () => {
    await using ks = await startKeystore();
    const css = await fetch(`${ks.baseUrl}/assets/dashboard.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).not.toMatch(/@import|url\(\s*['"]?https?:/);
    const etag = css.headers.get('etag') ?? '';
    expect((await fetch(`${ks.baseUrl}/assets/dashboard.css`, { headers: { 'if-none-match': etag } })).status).toBe(
      304,
    );
    expect((await fetch(`${ks.baseUrl}/assets/dashboard.js`)).status).toBe(200);
  });
});
