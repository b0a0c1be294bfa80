import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface Browser extends AsyncDisposable {
  context: BrowserContext;
}

/** Debian's Chromium through playwright-core, with a fresh profile that is deleted afterwards. */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'routemcp-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
  });
  return {
    context,
    async [Symbol.asyncDispose]() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface Browsers extends AsyncDisposable {
  /** A fresh context: its own cookies, as another person's browser (or another device of the same person). */
  newContext(): Promise<BrowserContext>;
}

/** One Chromium process for several people at once (the team test): each context is its own cookie jar. */
export async function launchBrowsers(): Promise<Browsers> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  return {
    newContext: () => browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 }),
    async [Symbol.asyncDispose]() {
      await browser.close();
    },
  };
}
