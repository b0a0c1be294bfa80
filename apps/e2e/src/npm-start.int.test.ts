import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from '@routemcp/testing';
import { expect, it } from 'vitest';
import { workspaceRoot } from './app-process.ts';
import { freePort } from '@routemcp/testing/free-port';

const INVALID_KEY_BODY =
  '{"success":false,"statusCode":401,"message":"Invalid or missing API key","code":"INVALID_API_KEY"}';

interface NpmStart {
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects if npm start exits first or after 90 s. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  /** SIGTERM to the whole group (SIGKILL after 15 s); resolves once npm start has exited. */
  stop(): Promise<void>;
}

/** `npm start` in its own process group, its stdout and stderr collected. */
function npmStart(env: Record<string, string | undefined>): NpmStart {
  const child = spawn('npm', ['start'], {
    cwd: workspaceRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let output = '';
  child.stdout.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr.on('data', (data: Buffer) => (output += data.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    output: () => output,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${pattern} within 90 s:\n${output}`)), 90_000);
        const check = () => {
          const match = pattern.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match);
          }
        };
        child.stdout.on('data', check);
        check();
        void exited.then(() => reject(new Error(`npm start exited:\n${output}`)));
      }),
    async stop() {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
      const timer = setTimeout(() => child.exitCode === null && process.kill(-child.pid!, 'SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function ports() {
  const [proxy, admin, api, keystore] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  return {
    proxy,
    env: {
      PROXY_PORT: String(proxy),
      PROXY_ADMIN_PORT: String(admin),
      API_PORT: String(api),
      KEYSTORE_PORT: String(keystore),
    },
  };
}

/** A new user's first minutes: `npm start`, then the printed curl. Ports moved off the defaults. */
it('npm start prints a first test key whose curl answers 200, and stops on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'routemcp-start-'));
  const { proxy, env } = await ports();
  const started = npmStart({ ...env, KEYSTORE_DB: join(dir, 'keystore.sqlite') });
  try {
    const [curl] = await started.waitFor(/curl "([^"]+)" -H "Authorization: Bearer (sk_test_[0-9A-Za-z]+)"/);
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
    expect(started.output().split(key!).length - 1).toBeLessThanOrEqual(2);
  } finally {
    await started.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  await expect(fetch(`http://127.0.0.1:${proxy}/`)).rejects.toThrow();
});

it('npm start with KEYSTORE_DATABASE_URL runs the keystore on PostgreSQL: a key made with npm run keys there answers 200', async () => {
  await using postgres = await startPostgres();
  const databaseUrl = await postgres.createDatabase();
  const password = decodeURIComponent(new URL(databaseUrl).password);
  const { proxy, env } = await ports();
  const started = npmStart({
    ...env,
    KEYSTORE_DATABASE_URL: databaseUrl,
    KEYSTORE_DB: undefined,
    KEYSTORE_ADMIN_EMAIL: 'ops@example.com',
    KEYSTORE_ADMIN_PASSWORD: 'a dashboard password for the test',
  });
  try {
    await started.waitFor(/Stop with Ctrl-C/);
    const banner = started.output();
    expect(banner).toContain('PostgreSQL at postgres://');
    expect(banner).toContain('On PostgreSQL no key is made for you');
    expect(banner).toMatch(/"first dashboard user created"|first dashboard user created/);
    expect(password.length).toBeGreaterThan(0);
    expect(banner).not.toContain(password);

    const cli = await run('npm', ['run', '-s', 'keys', '--', 'create', '--env', 'test', '--json'], {
      ...process.env,
      KEYSTORE_DATABASE_URL: databaseUrl,
    });
    expect(cli.code).toBe(0);
    const { key } = JSON.parse(cli.stdout) as { key: string };
    const ok = await fetch(`http://127.0.0.1:${proxy}/api/v1/contact?provider=hubspot`, {
      headers: { Authorization: `Bearer ${key}` },
    });
    expect(ok.status).toBe(200);
    expect(started.output()).not.toContain(password);
  } finally {
    await started.stop();
  }
});

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: workspaceRoot, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout }));
  });
}
