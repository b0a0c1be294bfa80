import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { workspaceRoot } from './app-process.ts';
import { launchBrowser } from './browser.ts';
import { freePort } from '@routemcp/testing/free-port';
import { startTestIdp } from './oidc-idp.ts';
import { startDashboardStack } from './stack.ts';

const SHOTS = resolve(workspaceRoot, 'reports/screenshots/dashboard-sso');
const CLIENT_ID = 'routemcp-dashboard';
const DISCOVERY_RETRY_BOUND_MS = 30_000;

/** The browser never leaves this machine (the provider's dev pages link a web font). */
async function loopbackOnly(context: BrowserContext): Promise<void> {
  await context.route(
    (url) => url.hostname !== '127.0.0.1' && url.hostname !== 'localhost',
    (route) => route.abort(),
  );
}

/** The provider's development screens: any login name, any password, then consent. */
async function signInAtIdp(page: Page, login: string): Promise<void> {
  await page.getByPlaceholder('Enter any login').fill(login);
  await page.getByPlaceholder('and password').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();

describe('single sign-on against a real OpenID Provider, in Chromium', () => {
  it('Sign in with SSO creates a viewer once, logs in again as the same member, and refuses a wrong state, a replayed code and an unverified email', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const clientSecret = randomBytes(24).toString('base64url');
    const idpPort = await freePort();
    // `localhost` for the provider and 127.0.0.1 for the keystore: two sites, as in production, so the
    // SameSite rules of the flow and session cookies are exercised for real.
    const issuer = `http://localhost:${idpPort}`;
    await using stack = await startDashboardStack({
      keystoreEnv: (keystoreUrl) => ({
        KEYSTORE_PUBLIC_URL: keystoreUrl,
        KEYSTORE_OIDC_ISSUER: issuer,
        KEYSTORE_OIDC_CLIENT_ID: CLIENT_ID,
        KEYSTORE_OIDC_CLIENT_SECRET: clientSecret,
      }),
    });
    const { keystoreUrl } = stack;
    await using browser = await launchBrowser();
    await loopbackOnly(browser.context);
    const page = await browser.context.newPage();

    // The provider is not up yet: the keystore started anyway and says so on the SSO page.
    await page.goto(`${keystoreUrl}/login`);
    await page.screenshot({ path: resolve(SHOTS, '01-login-with-sso.png'), fullPage: true });
    await page.getByRole('link', { name: 'Sign in with SSO' }).click();
    expect(await heading(page)).toBe('Single sign-on is unavailable');

    await using _idp = await startTestIdp({
      port: idpPort,
      host: 'localhost',
      clientId: CLIENT_ID,
      clientSecret,
      redirectUri: `${keystoreUrl}/login/oidc/callback`,
      unverified: ['mallory'],
    });
    // Discovery is retried (at most every 5 s) by the next SSO login: wait for that, bounded.
    await expect
      .poll(async () => (await fetch(`${keystoreUrl}/login/oidc`, { redirect: 'manual' })).status, {
        timeout: DISCOVERY_RETRY_BOUND_MS,
        interval: 500,
      })
      .toBe(303);

    // First login: the callback's URL and this browser's flow cookie are kept to replay them afterwards.
    let callbackUrl = '';
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin === keystoreUrl && url.pathname === '/login/oidc/callback') callbackUrl ||= url.href;
    });
    await page.goto(`${keystoreUrl}/login`);
    await page.getByRole('link', { name: 'Sign in with SSO' }).click();
    await page.waitForURL(`${issuer}/**`);
    const [flow] = await browser.context.cookies(`${keystoreUrl}/login/oidc/callback`);
    expect(flow).toMatchObject({ name: 'routemcp_oidc', httpOnly: true, sameSite: 'Lax', path: '/login/oidc' });
    await page.screenshot({ path: resolve(SHOTS, '02-provider-login.png'), fullPage: true });
    await signInAtIdp(page, 'alice');
    await page.waitForURL(`${keystoreUrl}/keys`);
    await expect.poll(() => heading(page)).toBe('API Keys');
    expect(await page.locator('.account-email').textContent()).toBe('alice@acme.test');
    await page.screenshot({ path: resolve(SHOTS, '03-signed-in.png'), fullPage: true });
    expect(await browser.context.cookies(`${keystoreUrl}/login/oidc/callback`)).not.toContainEqual(
      expect.objectContaining({ name: 'routemcp_oidc' }),
    );

    // The same code again, with the same state and flow cookie: the provider refuses it; a page, not a 500.
    expect(new URL(callbackUrl).searchParams.get('code')).toBeTruthy();
    const replayed = await fetch(callbackUrl, {
      headers: { cookie: `${flow?.name}=${flow?.value}` },
      redirect: 'manual',
    });
    expect(replayed.status).toBe(400);
    expect(await replayed.text()).toContain('its code was already used');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');

    // Second login, the provider's session still open (it asks for consent again: the replayed code made
    // it revoke the grant, as OAuth 2.0 Security BCP asks): back as the same member.
    await page.getByRole('link', { name: 'Sign in with SSO' }).click();
    await page.waitForURL(`${issuer}/**`);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${keystoreUrl}/keys`);
    expect(await page.locator('.account-email').textContent()).toBe('alice@acme.test');

    await page.goto(`${keystoreUrl}/audit`);
    const audit = page.locator('table.audit tbody tr');
    const sso = audit.filter({ hasText: 'Logged in with SSO' });
    await expect.poll(() => sso.count()).toBe(2);
    // Created once, with the default role; the second login found the same member.
    expect(await audit.filter({ hasText: 'new member (viewer)' }).count()).toBe(1);
    expect(await audit.filter({ hasText: 'Failed SSO login' }).filter({ hasText: 'rejected' }).count()).toBe(1);
    const auditText = (await page.locator('table.audit').textContent()) ?? '';
    expect(auditText).not.toContain(new URL(callbackUrl).searchParams.get('code'));

    // Another person, whose email the provider has not verified: refused, no session.
    await using other = await launchBrowser();
    await loopbackOnly(other.context);
    const mallory = await other.context.newPage();
    await mallory.goto(`${keystoreUrl}/login`);
    await mallory.getByRole('link', { name: 'Sign in with SSO' }).click();
    await mallory.waitForURL(`${issuer}/**`);
    // Alice's callback (her code, her state) in a browser that started its own sign-in: a wrong state,
    // refused before the code goes anywhere (an attacker's login forced on a victim).
    const forced = await mallory.goto(callbackUrl);
    expect(forced?.status()).toBe(400);
    expect(await heading(mallory)).toBe('This sign-in has expired');
    expect((await mallory.goto(`${keystoreUrl}/keys`))?.url()).toBe(`${keystoreUrl}/login`);

    await mallory.getByRole('link', { name: 'Sign in with SSO' }).click();
    await signInAtIdp(mallory, 'mallory');
    await expect.poll(() => heading(mallory)).toBe('Email address not verified');
    await mallory.screenshot({ path: resolve(SHOTS, '04-unverified-email.png'), fullPage: true });
    expect((await mallory.goto(`${keystoreUrl}/keys`))?.url()).toBe(`${keystoreUrl}/login`);

    expect(stack.logs()).not.toContain(clientSecret);
  });
});
