import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { workspaceRoot } from './app-process.ts';
import { launchBrowser } from './browser.ts';
import { startDashboardStack } from './stack.ts';

const SHOTS = resolve(workspaceRoot, 'reports/screenshots/dashboard');
const REVOCATION_BOUND_MS = 2000;

async function callProxy(proxyUrl: string, key: string): Promise<number> {
  const res = await fetch(`${proxyUrl}/api/v1/contact?provider=hubspot`, {
    headers: { authorization: `Bearer ${key}` },
  });
  await res.arrayBuffer();
  return res.status;
}

async function proxyAnswer(
  proxyUrl: string,
  key: string,
  method: string,
  path: string,
): Promise<{ status: number; body: string }> {
  const res = await fetch(`${proxyUrl}${path}`, { method, headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: await res.text() };
}

const FORBIDDEN =
  '{"success":false,"statusCode":403,"message":"This API key is not allowed to call this endpoint","code":"FORBIDDEN"}';

describe('dashboard in a real browser', () => {
  it('log in → API Keys → Generate New Key (test) → the proxy accepts it → reload hides it → Revoke → the proxy refuses it', async () => {
    mkdirSync(SHOTS, { recursive: true });
    await using stack = await startDashboardStack();
    await using browser = await launchBrowser();
    const page: Page = await browser.context.newPage();
    let step = 0;
    // Keys never land in test artefacts: the one-time key box is masked in every screenshot.
    const shot = (name: string) =>
      page.screenshot({
        path: resolve(SHOTS, `${String(++step).padStart(2, '0')}-${name}.png`),
        fullPage: true,
        mask: [page.locator('#new-key')],
      });

    await page.goto(`${stack.keystoreUrl}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByLabel('Email').fill(stack.login.email);
    await page.getByLabel('Password').fill(stack.login.password);
    await shot('login');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/keys');

    await page.getByRole('link', { name: 'API Keys' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('API Keys');
    await shot('api-keys-empty');

    await page.getByRole('link', { name: 'Generate New Key' }).first().click();
    await page.getByRole('radio', { name: /Test/ }).check();
    await page.getByLabel('Name').fill('Local development');
    await shot('generate-new-key');
    await page.getByRole('button', { name: 'Generate key' }).click();

    const key = ((await page.locator('#new-key').textContent()) ?? '').trim();
    expect(key).toMatch(/^sk_test_[0-9A-Za-z]{38}$/);
    await expect.poll(() => page.getByRole('note').textContent()).toContain('This key will not be shown again.');
    await page.getByRole('button', { name: 'Copy' }).focus();
    await shot('key-shown-once');

    expect(await callProxy(stack.proxyUrl, key)).toBe(200);

    await page.reload();
    const html = await page.content();
    expect(html).not.toContain(key);
    expect(html).not.toContain(key.slice(8, -4));
    expect(html).toContain(`sk_test_…${key.slice(-4)}`);
    await shot('after-reload');

    await page.getByRole('link', { name: 'Revoke Local development' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Revoke this key?');
    await shot('revoke-confirm');
    await page.getByRole('button', { name: 'Revoke key' }).click();
    await page.waitForURL('**/keys?revoked=*');

    const revokedAt = Date.now();
    let status = await callProxy(stack.proxyUrl, key);
    for (let i = 0; i < 40 && status !== 401 && Date.now() - revokedAt < REVOCATION_BOUND_MS; i++) {
      await new Promise((done) => setTimeout(done, 50));
      status = await callProxy(stack.proxyUrl, key);
    }
    expect(status, stack.logs()).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThanOrEqual(REVOCATION_BOUND_MS);
    await expect.poll(() => page.locator('.status-revoked').count()).toBe(1);
    await shot('revoked');

    // A live key beside the revoked test key: the environments must look different at a glance.
    await page.getByRole('link', { name: 'Generate New Key' }).first().click();
    await page.getByRole('radio', { name: /Live/ }).check();
    await page.getByLabel('Name').fill('Production backend');
    await page.getByRole('button', { name: 'Generate key' }).click();
    const live = ((await page.locator('#new-key').textContent()) ?? '').trim();
    expect(live).toMatch(/^sk_live_/);
    await page.getByRole('link', { name: /back to API Keys/ }).click();
    expect(await page.content()).not.toContain(live);
    await shot('live-and-test');
    await page.getByRole('link', { name: 'Production backend', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { level: 2, name: 'Roll key' }).count()).toBe(1);
    await shot('key-details');

    await page.getByRole('link', { name: 'Audit log' }).click();
    await expect.poll(() => page.locator('table.audit tbody tr').count()).toBeGreaterThanOrEqual(3);
    await shot('audit-log');
    expect(await page.getByRole('columnheader').allTextContents()).toEqual([
      'Actor',
      'Action',
      'Target',
      'Address',
      'Time',
    ]);
    await page.getByLabel('Action').selectOption({ label: 'Revoked key' });
    await page.getByLabel('Actor').fill(stack.login.email);
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.locator('table.audit tbody tr').count()).toBe(1);
    expect(await page.locator('table.audit tbody td').nth(1).textContent()).toBe('Revoked key');
    await shot('audit-log-filtered');
    await page.getByRole('link', { name: 'Clear' }).click();
    await expect.poll(() => page.locator('table.audit tbody tr').count()).toBeGreaterThanOrEqual(3);
  });

  it('Generate New Key with permissions GET /api/v1/contacts only (from the keyboard) → the proxy lets that through and answers 403 to the rest', async () => {
    mkdirSync(SHOTS, { recursive: true });
    await using stack = await startDashboardStack();
    await using browser = await launchBrowser();
    const page: Page = await browser.context.newPage();
    const shot = (name: string) =>
      page.screenshot({
        path: resolve(SHOTS, `restricted-${name}.png`),
        fullPage: true,
        mask: [page.locator('#new-key')],
      });

    await page.goto(`${stack.keystoreUrl}/login`);
    await page.getByLabel('Email').fill(stack.login.email);
    await page.getByLabel('Password').fill(stack.login.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/keys');
    await page.goto(`${stack.keystoreUrl}/keys/new`);

    await page.getByRole('radio', { name: /Test/ }).check();
    await page.getByLabel('Name').fill('Contacts reader');
    await page.getByLabel('Permissions').fill('GET /api/v1/contacts');
    await page.getByRole('textbox', { name: /^Owner/ }).fill('cust_e2e');
    await page.getByLabel('Request limit').fill('1000');
    await page.getByLabel('Period').selectOption('day');
    await page.getByLabel('Metadata').fill('{"plan": "reader"}');
    await shot('form');
    // Submitted from the keyboard: focus the button, press Enter.
    await page.getByRole('button', { name: 'Generate key' }).focus();
    await page.keyboard.press('Enter');

    const key = ((await page.locator('#new-key').textContent()) ?? '').trim();
    expect(key).toMatch(/^sk_test_[0-9A-Za-z]{38}$/);

    expect(
      await proxyAnswer(stack.proxyUrl, key, 'GET', '/api/v1/contacts?provider=hubspot'),
      stack.logs(),
    ).toMatchObject({ status: 200 });
    expect(await proxyAnswer(stack.proxyUrl, key, 'GET', '/api/v1/deals'), stack.logs()).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await proxyAnswer(stack.proxyUrl, key, 'POST', '/api/v1/contacts'), stack.logs()).toEqual({
      status: 403,
      body: FORBIDDEN,
    });

    await page.getByRole('link', { name: /back to API Keys/ }).click();
    await page.getByRole('link', { name: 'Contacts reader', exact: true }).click();
    const policies = page.getByRole('region', { name: 'Restrictions and limits' });
    await expect.poll(() => policies.textContent()).toContain('GET /api/v1/contacts');
    expect(await policies.textContent()).toContain('of 1,000 requests used today (UTC)');
    await shot('key-page');
  });
});
