import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { workspaceRoot } from './app-process.ts';
import { launchBrowsers } from './browser.ts';
import { startDashboardStack } from './stack.ts';

const SHOTS = resolve(workspaceRoot, 'reports/screenshots/dashboard');
const DEVELOPER = { email: 'dev@routemcp.test', password: 'developer passphrase 1' };
const VIEWER = { email: 'viewer@routemcp.test', password: 'viewer passphrase 22' };
const NEW_PASSWORD = 'a changed developer passphrase';

/** A page in its own context (cookie jar): another person's browser, or another device of the same person. */
async function personPage(newContext: () => Promise<BrowserContext>): Promise<Page> {
  return (await newContext()).newPage();
}

async function logIn(page: Page, keystoreUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${keystoreUrl}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL('**/keys');
}

/** Team → Invite member; the link from the page, the only time it is shown. */
async function inviteMember(page: Page, email: string, role: string): Promise<string> {
  await page.getByRole('link', { name: 'Team' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Role', { exact: true }).selectOption({ label: role });
  await page.getByRole('button', { name: 'Invite member' }).click();
  await expect.poll(() => page.getByRole('note').textContent()).toContain('This link will not be shown again.');
  return ((await page.locator('#invite-link').textContent()) ?? '').trim();
}

async function join(page: Page, link: string, password: string): Promise<void> {
  await page.goto(link);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Repeat password').fill(password);
  await page.getByRole('button', { name: 'Join and log in' }).click();
}

/** POST /v1/keys from inside the page: the member's own session cookie and CSRF token, same origin. */
async function createKeyFromPage(page: Page): Promise<{ status: number; body: string }> {
  const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
  return page.evaluate(async (token) => {
    const res = await fetch('/v1/keys', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': token },
      body: JSON.stringify({ environment: 'test' }),
    });
    return { status: res.status, body: await res.text() };
  }, csrf);
}

describe('a team in a real browser', () => {
  it('owner invites a developer and a viewer; roles hold; a password change and a removal log sessions out; the audit log says who did what', async () => {
    mkdirSync(SHOTS, { recursive: true });
    await using stack = await startDashboardStack();
    await using browsers = await launchBrowsers();
    const owner = await personPage(browsers.newContext);
    // Invitation links are credentials until used: masked in every screenshot.
    const shot = (page: Page, name: string) =>
      page.screenshot({
        path: resolve(SHOTS, `team-${name}.png`),
        fullPage: true,
        mask: [page.locator('#invite-link'), page.locator('#new-key')],
      });

    await logIn(owner, stack.keystoreUrl, stack.login.email, stack.login.password);
    const devLink = await inviteMember(owner, DEVELOPER.email, 'Developer');
    const viewerLink = await inviteMember(owner, VIEWER.email, 'Viewer');
    expect(devLink).toMatch(new RegExp(`^${stack.keystoreUrl}/invite/[A-Za-z0-9_-]{43}$`));
    await shot(owner, 'invited');

    // The developer joins; the same link a second time fails.
    const developer = await personPage(browsers.newContext);
    await join(developer, devLink, DEVELOPER.password);
    await developer.waitForURL('**/keys');
    const replay = await personPage(browsers.newContext);
    await replay.goto(devLink);
    await expect.poll(() => replay.getByRole('heading', { level: 1 }).textContent()).toBe('Invitation cannot be used');
    expect(await replay.content()).toContain('This invitation has already been used.');

    // The developer generates a key.
    await developer.getByRole('link', { name: 'Generate New Key' }).first().click();
    await developer.getByRole('radio', { name: /Test/ }).check();
    await developer.getByLabel('Name').fill('Team key');
    await developer.getByRole('button', { name: 'Generate key' }).click();
    expect(((await developer.locator('#new-key').textContent()) ?? '').trim()).toMatch(/^sk_test_/);

    // The viewer joins, sees the key, is offered no Generate New Key, and its session is refused by the API.
    const viewer = await personPage(browsers.newContext);
    await join(viewer, viewerLink, VIEWER.password);
    await viewer.waitForURL('**/keys');
    await expect.poll(() => viewer.getByRole('link', { name: 'Team key', exact: true }).count()).toBe(1);
    expect(await viewer.getByRole('link', { name: 'Generate New Key' }).count()).toBe(0);
    expect(await createKeyFromPage(viewer)).toEqual({
      status: 403,
      body: '{"success":false,"statusCode":403,"message":"Your role does not allow this","code":"FORBIDDEN"}',
    });

    // The developer, logged in on a second device too, changes its password: the other session ends.
    const developerElsewhere = await personPage(browsers.newContext);
    await logIn(developerElsewhere, stack.keystoreUrl, DEVELOPER.email, DEVELOPER.password);
    await developer.getByRole('link', { name: 'Account' }).click();
    await expect.poll(() => developer.locator('table.sessions tbody tr').count()).toBe(2);
    await developer.getByLabel('Current password').fill(DEVELOPER.password);
    await developer.getByLabel('New password').fill(NEW_PASSWORD);
    await developer.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => developer.getByRole('status').first().textContent()).toContain('1 other session was');
    await shot(developer, 'account');
    await developerElsewhere.reload();
    expect(new URL(developerElsewhere.url()).pathname).toBe('/login');

    // The owner removes the viewer, who is logged out at once.
    await owner.getByRole('link', { name: 'Team' }).click();
    await shot(owner, 'members');
    await owner.getByRole('button', { name: `Remove ${VIEWER.email}` }).click();
    await owner.waitForURL('**/team?done=removed');
    await viewer.reload();
    expect(new URL(viewer.url()).pathname).toBe('/login');

    // The audit log says who did what.
    await owner.getByRole('link', { name: 'Audit log' }).click();
    const rows = owner.locator('table.audit tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(8);
    const log = (await rows.allTextContents()).map((row) => row.replace(/\s+/g, ' '));
    const has = (who: string, what: string, about = '') =>
      log.some((row) => row.includes(who) && row.includes(what) && row.includes(about));
    expect(has(stack.login.email, 'Invited member', `${DEVELOPER.email} as developer`), log.join('\n')).toBe(true);
    expect(has(DEVELOPER.email, 'Joined the team'), log.join('\n')).toBe(true);
    expect(has(DEVELOPER.email, 'Created key'), log.join('\n')).toBe(true);
    expect(has(DEVELOPER.email, 'Changed password'), log.join('\n')).toBe(true);
    expect(has(stack.login.email, 'Removed member', VIEWER.email), log.join('\n')).toBe(true);
    const page = await owner.content();
    for (const secret of [devLink.split('/').pop()!, DEVELOPER.password, NEW_PASSWORD])
      expect(page).not.toContain(secret);
    await shot(owner, 'audit-log');
  });
});
