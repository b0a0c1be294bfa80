import { copyFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { workspaceRoot } from './app-process.ts';
import { launchBrowser } from './browser.ts';
import { startDashboardStack } from './stack.ts';

const SHOTS = resolve(workspaceRoot, 'reports/screenshots/dashboard');

describe('API tokens in a real browser', () => {
  it('Create API token (developer) → shown once → it creates a key the proxy accepts → reload hides it → Revoke → 401', async () => {
    mkdirSync(SHOTS, { recursive: true });
    await using stack = await startDashboardStack();
    await using browser = await launchBrowser();
    const page: Page = await browser.context.newPage();
    // Tokens never land in test artefacts: the one-time box is masked.
    const shot = (name: string) =>
      page.screenshot({
        path: resolve(SHOTS, `tokens-${name}.png`),
        fullPage: true,
        mask: [page.locator('#new-token')],
      });

    await page.goto(`${stack.keystoreUrl}/login`);
    await page.getByLabel('Email').fill(stack.login.email);
    await page.getByLabel('Password').fill(stack.login.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/keys');

    await page.getByRole('link', { name: 'API tokens' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('API tokens');
    await page.getByLabel('Name').fill('ci-deploy');
    await page.getByLabel('Role').selectOption({ label: 'Developer' });
    await page.getByRole('button', { name: 'Create token' }).click();

    const token = ((await page.locator('#new-token').textContent()) ?? '').trim();
    expect(token).toMatch(/^rmk_[0-9A-Za-z]{43}$/);
    await expect.poll(() => page.getByRole('note').textContent()).toContain('This token will not be shown again.');
    await shot('shown-once');

    const created = await fetch(`${stack.keystoreUrl}/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ environment: 'test', name: 'made by ci' }),
    });
    expect(created.status).toBe(201);
    const key = ((await created.json()) as { data: { key: string } }).data.key;
    const proxied = await fetch(`${stack.proxyUrl}/api/v1/contact?provider=hubspot`, {
      headers: { authorization: `Bearer ${key}` },
    });
    await proxied.arrayBuffer();
    expect(proxied.status).toBe(200);
    // The proxy takes API keys only.
    const refused = await fetch(`${stack.proxyUrl}/api/v1/contact?provider=hubspot`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await refused.arrayBuffer();
    expect(refused.status).toBe(401);

    await page.reload();
    expect(new URL(page.url()).pathname).toBe('/tokens');
    expect(await page.content()).not.toContain(token);
    await expect.poll(() => page.locator('table.tokens tbody tr').count()).toBe(1);
    await shot('list');
    copyFileSync(resolve(SHOTS, 'tokens-list.png'), resolve(workspaceRoot, 'docs/images/dashboard-api-tokens.png'));

    await page.getByRole('link', { name: 'Revoke ci-deploy' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Revoke this token?');
    await page.getByRole('button', { name: 'Revoke token' }).click();
    await page.waitForURL('**/tokens?revoked=1');
    await expect.poll(() => page.locator('.status-revoked').count()).toBe(1);
    const after = await fetch(`${stack.keystoreUrl}/v1/keys`, { headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Actor').fill('token:ci-deploy');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.locator('table.audit tbody tr').count()).toBe(1);
    expect(await page.locator('table.audit tbody td').nth(1).textContent()).toBe('Created key');
  });
});
