import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** A full-page PNG of `html` by Debian's Chromium (headless, fresh profile, nothing fetched: the page is inline). */
export async function screenshot(html: string, file: string, width: number): Promise<void> {
  const profile = mkdtempSync(join(tmpdir(), 'routemcp-snapshot-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: width + 32, height: 900 },
    deviceScaleFactor: 1,
    offline: true,
  });
  try {
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    await page.screenshot({ path: file, fullPage: true });
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
