import { describe, expect, it } from 'vitest';
import { addUser, dashboardClient, PASSWORD, type DashboardClient } from '../testing/dashboard-client.ts';
import { fakeOidcClient, FAKE_IDP, ssoConfig, verified } from '../testing/fake-oidc-client.ts';
import { startKeystore, type Harness } from '../testing/keystore-harness.ts';
import { FLOW_TTL_MS } from './sso-login.ts';

async function withSso(overrides: Parameters<typeof ssoConfig>[0] = {}, passwordLogin = true) {
  const idp = fakeOidcClient();
  const ks = await startKeystore({ sso: { config: ssoConfig(overrides), client: idp }, passwordLogin });
  return { ks, idp };
}

/** `GET /login/oidc` in this browser: the state the provider would echo back. */
async function begin(browser: DashboardClient): Promise<string> {
  const res = await browser.fetch('/login/oidc');
  expect(res.status).toBe(303);
  return new URL(res.headers.get('location') ?? '').searchParams.get('state') ?? '';
}

const callback = (browser: DashboardClient, state: string, code = 'the-code') =>
  browser.fetch(`/login/oidc/callback?${new URLSearchParams({ code, state })}`);

async function lastAudit(ks: Harness) {
  const [entry] = await ks.accounts.listAudit({ limit: 1 });
  return entry;
}

describe('single sign-on routes', () => {
  it('the login page offers Sign in with SSO only when SSO is configured', async () => {
    const { ks } = await withSso();
    await using _ = ks;
    const page = await (await fetch(`${ks.baseUrl}/login`)).text();
    expect(page).toMatch(/<a class="btn btn-secondary btn-block" href="\/login\/oidc">Sign in with SSO<\/a>/);
    expect(page).toContain('<label for="password">Password</label>');
    await using plain = await startKeystore();
    expect(await (await fetch(`${plain.baseUrl}/login`)).text()).not.toContain('Sign in with SSO');
    expect((await fetch(`${plain.baseUrl}/login/oidc`, { redirect: 'manual' })).status).toBe(404);
  });

  it('GET /login/oidc sends the browser to the provider with a sealed, one-path, Lax flow cookie', async () => {
    const { ks, idp } = await withSso();
    await using _ = ks;
    const res = await fetch(`${ks.baseUrl}/login/oidc`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.origin).toBe(FAKE_IDP);
    const state = location.searchParams.get('state') ?? '';
    expect(state.length).toBeGreaterThanOrEqual(32);
    const [cookie = ''] = res.headers.getSetCookie();
    expect(cookie).toMatch(/^routemcp_oidc=[\w-]+; Path=\/login\/oidc; HttpOnly; SameSite=Lax; Max-Age=600$/);
    // Sealed: neither the state nor the nonce can be read out of it.
    expect(cookie).not.toContain(state);
    expect(cookie).not.toContain(location.searchParams.get('nonce'));
    expect(idp.exchanges).toHaveLength(0);
  });

  it('a verified email becomes a member and gets a session; a second login is the same member', async () => {
    const { ks, idp } = await withSso();
    await using _ = ks;
    const browser = dashboardClient(ks);
    const state = await begin(browser);
    const res = await callback(browser, state);
    expect(res.status).toBe(200);
    expect(res.headers.get('refresh')).toBe('0; url=/keys');
    const cookies = res.headers.getSetCookie();
    expect(cookies.find((c) => c.startsWith('routemcp_session='))).toMatch(/HttpOnly; SameSite=Strict/);
    expect(cookies).toContain('routemcp_oidc=; Path=/login/oidc; HttpOnly; SameSite=Lax; Max-Age=0');
    // The checks the provider was asked to hold the code to are the ones this browser's login started with.
    expect(idp.exchanges[0]?.checks.state).toBe(state);
    expect(idp.exchanges[0]?.checks.verifier).toMatch(/^[\w-]{43,128}$/);
    const keys = await browser.fetch('/keys');
    expect(keys.status).toBe(200);
    expect(await keys.text()).toContain('dev@example.com');
    const created = await ks.accounts.findUserByEmail('dev@example.com');
    expect(created?.accountId).toBe(ks.store.defaultAccountId);
    expect(await lastAudit(ks)).toMatchObject({
      action: 'login.sso',
      actor: 'dev@example.com',
      target: 'new member (viewer)',
      address: '127.0.0.1',
    });

    const again = dashboardClient(ks);
    expect((await callback(again, await begin(again))).status).toBe(200);
    expect(await ks.accounts.userCount()).toBe(1);
    expect((await ks.accounts.findUserByEmail('dev@example.com'))?.id).toBe(created?.id);
    expect(await lastAudit(ks)).toMatchObject({ action: 'login.sso', target: null });
  });

  it('an SSO member has no password that works', async () => {
    const { ks } = await withSso();
    await using _ = ks;
    const browser = dashboardClient(ks);
    expect((await callback(browser, await begin(browser))).status).toBe(200);
    const hash = (await ks.accounts.findUserByEmail('dev@example.com'))?.passwordHash ?? '';
    expect(hash).toMatch(/^sso\$/);
    for (const password of ['', hash, hash.slice(4), PASSWORD]) {
      expect((await ks.app.login.login('dev@example.com', password, '192.0.2.1')).ok).toBe(false);
    }
  });

  describe('refuses, with a page and an audit entry, never a 500', () => {
    it('a wrong state, before asking the provider', async () => {
      const { ks, idp } = await withSso();
      await using _ = ks;
      const browser = dashboardClient(ks);
      const state = await begin(browser);
      const res = await callback(browser, `${state.slice(0, -1)}x`);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('This sign-in has expired');
      expect(idp.exchanges).toHaveLength(0);
      expect(await ks.accounts.userCount()).toBe(0);
      expect(await lastAudit(ks)).toMatchObject({
        accountId: ks.store.defaultAccountId,
        action: 'login.sso.failed',
        actor: 'sso',
        target: 'state',
      });
    });

    it('a callback without the flow cookie (another browser), or a second use of it', async () => {
      const { ks, idp } = await withSso();
      await using _ = ks;
      const browser = dashboardClient(ks);
      const state = await begin(browser);
      expect((await callback(dashboardClient(ks), state)).status).toBe(400);
      expect((await callback(browser, state)).status).toBe(200);
      // The cookie was spent by the first callback: the same answer again is refused here.
      expect((await callback(browser, state)).status).toBe(400);
      expect(idp.exchanges).toHaveLength(1);
    });

    it('a flow older than 10 minutes, and a tampered flow cookie', async () => {
      const { ks, idp } = await withSso();
      await using _ = ks;
      const browser = dashboardClient(ks);
      const state = await begin(browser);
      ks.clock.advance(FLOW_TTL_MS);
      expect((await callback(browser, state)).status).toBe(400);

      const other = dashboardClient(ks);
      const otherState = await begin(other);
      const sealed = other.cookies.get('routemcp_oidc') ?? '';
      other.cookies.set('routemcp_oidc', `${sealed.slice(0, -2)}${sealed.endsWith('AA') ? 'BB' : 'AA'}`);
      expect((await callback(other, otherState)).status).toBe(400);
      expect(idp.exchanges).toHaveLength(0);
    });

    it.each([
      ['rejected', 400, 'its code was already used'],
      ['provider_error', 400, 'Single sign-on was cancelled'],
      ['invalid_token', 400, 'did not pass our checks'],
      ['unavailable', 503, 'cannot be reached'],
    ] as const)('the provider answering %s', async (reason, status, text) => {
      const { ks, idp } = await withSso();
      await using _ = ks;
      idp.answer = { ok: false, reason, detail: 'invalid_grant' };
      const browser = dashboardClient(ks);
      const res = await callback(browser, await begin(browser), 'a-code-used-before');
      expect(res.status).toBe(status);
      const page = await res.text();
      expect(page).toContain(text);
      expect(page).not.toContain('a-code-used-before');
      expect(res.headers.getSetCookie().some((c) => c.startsWith('routemcp_session='))).toBe(false);
      const entry = await lastAudit(ks);
      expect(entry).toMatchObject({ action: 'login.sso.failed', target: reason });
      expect(JSON.stringify(entry)).not.toContain('a-code-used-before');
    });

    it.each([
      ['false', { email_verified: false }],
      ['the string "true"', { email_verified: 'true' }],
      ['absent', { email_verified: undefined }],
    ])('an email whose email_verified is %s', async (_label, claims) => {
      const { ks, idp } = await withSso();
      await using _ = ks;
      idp.answer = { ok: true, claims: { ...verified('new@example.com'), ...claims } };
      const browser = dashboardClient(ks);
      const res = await callback(browser, await begin(browser));
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('Email address not verified');
      expect(await ks.accounts.findUserByEmail('new@example.com')).toBeUndefined();
      expect(await lastAudit(ks)).toMatchObject({
        action: 'login.sso.failed',
        actor: 'new@example.com',
        target: 'unverified_email',
      });
    });

    it('no email claim, or one that is not an address', async () => {
      const { ks, idp } = await withSso();
      await using _ = ks;
      for (const email of [undefined, 'not an address', 42]) {
        idp.answer = { ok: true, claims: { sub: 'x', email, email_verified: true } };
        const browser = dashboardClient(ks);
        expect((await callback(browser, await begin(browser))).status).toBe(403);
        expect(await lastAudit(ks)).toMatchObject({ action: 'login.sso.failed', target: 'no_email' });
      }
      expect(await ks.accounts.userCount()).toBe(0);
    });

    it('an email outside KEYSTORE_OIDC_ALLOWED_DOMAINS (the domain, not a suffix of it)', async () => {
      const { ks, idp } = await withSso({ allowedDomains: ['example.com'] });
      await using _ = ks;
      for (const email of ['eve@evil.com', 'eve@notexample.com', 'eve@example.com.evil.com']) {
        idp.answer = { ok: true, claims: verified(email) };
        const browser = dashboardClient(ks);
        const res = await callback(browser, await begin(browser));
        expect(res.status).toBe(403);
        expect(await res.text()).toContain('Email domain not allowed');
      }
      idp.answer = { ok: true, claims: verified('Dev@Example.COM') };
      const browser = dashboardClient(ks);
      expect((await callback(browser, await begin(browser))).status).toBe(200);
      expect(await ks.accounts.findUserByEmail('dev@example.com')).toBeDefined();
      expect(await ks.accounts.userCount()).toBe(1);
    });
  });

  it('answers a clear page while the provider cannot be discovered, and password login still works', async () => {
    const { ks, idp } = await withSso();
    await using _ = ks;
    idp.reachable = false;
    const res = await fetch(`${ks.baseUrl}/login/oidc`, { redirect: 'manual' });
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('Single sign-on is unavailable');
    await addUser(ks, 'admin@example.com');
    expect((await dashboardClient(ks).login('admin@example.com', PASSWORD)).status).toBe(303);
    idp.reachable = true;
    expect((await fetch(`${ks.baseUrl}/login/oidc`, { redirect: 'manual' })).status).toBe(303);
  });

  it('KEYSTORE_PASSWORD_LOGIN=off: no password form, and a posted password is refused unchecked', async () => {
    const { ks } = await withSso({}, false);
    await using _ = ks;
    await addUser(ks, 'admin@example.com');
    const page = await (await fetch(`${ks.baseUrl}/login`)).text();
    expect(page).not.toContain('<label for="password">');
    expect(page).toMatch(/class="btn btn-primary btn-block" href="\/login\/oidc">Sign in with SSO/);
    const browser = dashboardClient(ks);
    const loginPage = await (await browser.fetch('/login')).text();
    expect(loginPage).toContain('Sign in with SSO');
    const token = browser.cookies.get('routemcp_login') ?? '';
    const res = await browser.post('/login', { email: 'admin@example.com', password: PASSWORD }, { csrf: token });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Password login is off here. Sign in with SSO.');
    expect(browser.cookies.has('routemcp_session')).toBe(false);
  });
});
