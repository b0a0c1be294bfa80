import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { workspaceRoot } from './app-process.ts';
import { freePort } from './free-port.ts';

const INVALID_KEY_BODY =
  '{"success":false,"statusCode":401,"message":"Invalid or missing API key","code":"INVALID_API_KEY"}';

/** A new user's first minutes: `npm start`, then the printed curl. Ports moved off the defaults. */
it('npm start prints a first test key whose curl answers 200, and stops on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'routemcp-start-'));
  const [proxy, admin, api, keystore] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const child = spawn('npm', ['start'], {
    cwd: workspaceRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PROXY_PORT: String(proxy),
      PROXY_ADMIN_PORT: String(admin),
      API_PORT: String(api),
      KEYSTORE_PORT: String(keystore),
      KEYSTORE_DB: join(dir, 'keystore.sqlite'),
    },
  });
  let output = '';
  child.stdout.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr.on('data', (data: Buffer) => (output += data.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const curl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no curl line within 90 s:\n${output}`)), 90_000);
      const check = () => {
        const line = /curl "([^"]+)" -H "Authorization: Bearer (sk_test_[0-9A-Za-z]+)"/.exec(output);
        if (line) {
          clearTimeout(timer);
          resolve(line[0]);
        }
      };
      child.stdout.on('data', check);
      child.once('exit', () => reject(new Error(`npm start exited:\n${output}`)));
    });
    const [, url, key] = /curl "([^"]+)" -H "Authorization: Bearer (\S+)"/.exec(curl)!;
    expect(url).toBe(`http://localhost:${proxy}/api/v1/contact?provider=hubspot`);

    const ok = await fetch(url!, { headers: { Authorization: `Bearer ${key}` } });
    expect(ok.status).toBe(200);
    const { data } = (await ok.json()) as { data: unknown[] };
    expect(data.length).toBeGreaterThan(0);

    const missing = await fetch(url!);
    expect(missing.status).toBe(401);
    expect(await missing.text()).toBe(INVALID_KEY_BODY);

    // Shown once: the key is printed in the banner only, never in a log line.
    expect(output.split(key!).length - 1).toBeLessThanOrEqual(2);
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
    const timer = setTimeout(() => child.exitCode === null && process.kill(-child.pid!, 'SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  }
  await expect(fetch(`http://127.0.0.1:${proxy}/`)).rejects.toThrow();
});
