import { describe, expect, it } from 'vitest';
import { addUser, dashboardClient, PASSWORD } from '../testing/dashboard-client.ts';
import { startKeystore, type Harness } from '../testing/keystore-harness.ts';

/** A login through "a proxy" at 127.0.0.1 (the test's own socket) that sends these forwarded headers. */
async function loginVia(ks: Harness, email: string, password: string, headers: Record<string, string>) {
  const browser = dashboardClient(ks);
  await browser.fetch('/login');
  return browser.fetch('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ks.baseUrl, ...headers },
    body: new URLSearchParams({ email, password, _csrf: browser.cookies.get('routemcp_login') ?? '' }),
  });
}

const sessionCookie = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith('routemcp_session='));

describe('dashboard login behind a proxy (KEYSTORE_TRUSTED_PROXIES)', () => {
  it('marks the cookie Secure on X-Forwarded-Proto: https from a trusted proxy', async () => {
    await using ks = await startKeystore({ trustedProxies: ['127.0.0.1/32'] });
    await addUser(ks, 'dev@example.com');
    const res = await loginVia(ks, 'dev@example.com', PASSWORD, { 'x-forwarded-proto': 'https' });
    expect(sessionCookie(res)).toMatch(/; Secure$/);
  });

  it('ignores X-Forwarded-Proto from a peer that is not a trusted proxy, or with none trusted', async () => {
    for (const trustedProxies of [[], ['10.0.0.0/8']]) {
      await using ks = await startKeystore({ trustedProxies });
      await addUser(ks, 'dev@example.com');
      const res = await loginVia(ks, 'dev@example.com', PASSWORD, { 'x-forwarded-proto': 'https' });
      expect(res.status).toBe(303);
      expect(sessionCookie(res)).not.toContain('Secure');
    }
  });

  it('counts and audits the right-most untrusted X-Forwarded-For entry: a spoofed left-most one moves nothing', async () => {
    await using ks = await startKeystore({ trustedProxies: ['127.0.0.1/32', '10.0.0.0/8'] });
    const account = await addUser(ks, 'dev@example.com');
    // The client writes whatever it likes on the left; the proxies append what they saw on the right.
    const via = (i: number) => ({ 'x-forwarded-for': `192.0.2.${i}, 198.51.100.7, 10.0.0.2` });
    for (let i = 0; i < 20; i++) {
      expect((await loginVia(ks, `guess${i}@example.com`, 'nope', via(i))).status).toBe(401);
    }
    // 20 misses from 198.51.100.7, whatever it claimed to be: that address is locked.
    expect((await loginVia(ks, 'dev@example.com', PASSWORD, via(99))).status).toBe(429);
    // Another client behind the same proxies is not.
    const other = { 'x-forwarded-for': '192.0.2.1, 198.51.100.8, 10.0.0.2' };
    expect((await loginVia(ks, 'dev@example.com', PASSWORD, other)).status).toBe(303);
    const rows = await ks.accounts.listAudit({ limit: 50 });
    expect(new Set(rows.map((r) => r.address))).toEqual(new Set(['198.51.100.7', '198.51.100.8']));
    expect((await ks.accounts.listAudit({ accountId: account, limit: 1 }))[0]).toMatchObject({
      action: 'login',
      address: '198.51.100.8',
    });
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy: the socket peer is counted and audited', async () => {
    await using ks = await startKeystore({ trustedProxies: ['10.0.0.0/8'] });
    await addUser(ks, 'dev@example.com');
    for (let i = 0; i < 20; i++) {
      await loginVia(ks, `guess${i}@example.com`, 'nope', { 'x-forwarded-for': `192.0.2.${i}` });
    }
    expect((await loginVia(ks, 'dev@example.com', PASSWORD, { 'x-forwarded-for': '192.0.2.200' })).status).toBe(429);
    const rows = await ks.accounts.listAudit({ limit: 50 });
    expect(rows.every((r) => r.address === '127.0.0.1')).toBe(true);
  });
});
