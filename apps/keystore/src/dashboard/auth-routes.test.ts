import { describe, expect, it } from 'vitest';
import { addUser, dashboardClient, PASSWORD } from '../testing/dashboard-client.ts';
import { startKeystore } from '../testing/keystore-harness.ts';

const MINUTE = 60_000;

describe('dashboard login', () => {
  it('shows a login page with labelled Email and Password fields and no external resources', async () => {
    await using ks = await startKeystore();
    const res = await fetch(`${ks.baseUrl}/login`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toMatch(/<label for="email">Email<\/label>/);
    expect(page).toMatch(/<label for="password">Password<\/label>/);
    expect(page).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('logs in with a session cookie that is HttpOnly and SameSite=Strict, then lets the user in', async () => {
    await using ks = await startKeystore();
    await addUser(ks, 'dev@example.com');
    const browser = dashboardClient(ks);
    expect((await browser.fetch('/keys')).headers.get('location')).toBe('/login');
    const res = await browser.login('Dev@Example.com ', PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/keys');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('routemcp_session='));
    expect(cookie).toMatch(/; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const keys = await browser.fetch('/keys');
    expect(keys.status).toBe(200);
    expect(await keys.text()).toContain('dev@example.com');
  });

  it('refuses a wrong password with one message for unknown and known emails', async () => {
    await using ks = await startKeystore();
    await addUser(ks, 'dev@example.com');
    for (const email of ['dev@example.com', 'nobody@example.com']) {
      const res = await dashboardClient(ks).login(email, 'wrong password');
      expect(res.status).toBe(401);
      expect(await res.text()).toContain('Email or password is incorrect.');
    }
  });

  it('refuses a login form without its token (login CSRF) or from another origin', async () => {
    await using ks = await startKeystore();
    await addUser(ks, 'dev@example.com');
    const browser = dashboardClient(ks);
    await browser.fetch('/login');
    expect(
      (await browser.post('/login', { email: 'dev@example.com', password: PASSWORD }, { csrf: 'forged' })).status,
    ).toBe(403);
    const page = await (await browser.fetch('/login')).text();
    const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const res = await browser.post(
      '/login',
      { email: 'dev@example.com', password: PASSWORD },
      { csrf: token, origin: 'https://evil.example' },
    );
    expect(res.status).toBe(403);
    expect(browser.cookies.has('routemcp_session')).toBe(false);
  });

  it('locks an email after 5 failures for 15 minutes, even with the right password, then lets it in', async () => {
    await using ks = await startKeystore();
    await addUser(ks, 'dev@example.com');
    for (let i = 0; i < 5; i++) expect((await dashboardClient(ks).login('dev@example.com', 'nope')).status).toBe(401);
    const locked = await dashboardClient(ks).login('dev@example.com', PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('900');
    expect(await locked.text()).toContain('Too many failed attempts. Try again in 15 minutes.');
    ks.clock.advance(15 * MINUTE);
    expect((await dashboardClient(ks).login('dev@example.com', PASSWORD)).status).toBe(303);
  });

  it('locks an address that sprays many emails', async () => {
    await using ks = await startKeystore();
    await addUser(ks, 'dev@example.com');
    for (let i = 0; i < 20; i++) await dashboardClient(ks).login(`guess${i}@example.com`, 'nope');
    expect((await dashboardClient(ks).login('dev@example.com', PASSWORD)).status).toBe(429);
  });

  it('ends a session after the idle timeout and after its absolute lifetime', async () => {
    await using ks = await startKeystore({ sessionIdleMs: 30 * MINUTE, sessionTtlMs: 60 * MINUTE });
    await addUser(ks, 'dev@example.com');
    const idle = dashboardClient(ks);
    await idle.login('dev@example.com', PASSWORD);
    ks.clock.advance(29 * MINUTE);
    expect((await idle.fetch('/keys')).status).toBe(200);
    ks.clock.advance(30 * MINUTE);
    expect((await idle.fetch('/keys')).headers.get('location')).toBe('/login');

    const busy = dashboardClient(ks);
    await busy.login('dev@example.com', PASSWORD);
    for (let i = 0; i < 3; i++) {
      ks.clock.advance(20 * MINUTE);
      const res = await busy.fetch('/keys');
      expect(res.status).toBe(i < 2 ? 200 : 303);
    }
  });

  it('logs out: the cookie is cleared and the old session no longer works', async () => {
    await using ks = await startKeystore();
    await addUser(ks, 'dev@example.com');
    const browser = dashboardClient(ks);
    await browser.login('dev@example.com', PASSWORD);
    const stolen = browser.cookies.get('routemcp_session') ?? '';
    const res = await browser.post('/logout', {});
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
    const replay = await fetch(`${ks.baseUrl}/v1/keys`, { headers: { cookie: `routemcp_session=${stolen}` } });
    expect(replay.status).toBe(401);
  });

  it('does not log out on a forged form (no token)', async () => {
    await using ks = await startKeystore();
    await addUser(ks, 'dev@example.com');
    const browser = dashboardClient(ks);
    await browser.login('dev@example.com', PASSWORD);
    expect((await browser.post('/logout', {}, { csrf: null })).status).toBe(403);
    expect((await browser.fetch('/keys')).status).toBe(200);
  });

  it('writes audit rows for login, failed login and logout, with the address', async () => {
    await using ks = await startKeystore();
    const account = await addUser(ks, 'dev@example.com');
    await dashboardClient(ks).login('dev@example.com', 'nope');
    const browser = dashboardClient(ks);
    await browser.login('dev@example.com', PASSWORD);
    await browser.post('/logout', {});
    const rows = await ks.accounts.listAudit({ accountId: account, limit: 10 });
    expect(rows.map((r) => r.action)).toEqual(['logout', 'login', 'login.failed']);
    expect(rows.every((r) => r.actor === 'dev@example.com' && r.address === '127.0.0.1')).toBe(true);
  });
});
