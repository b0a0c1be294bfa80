import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hash, parse } from '@routemcp/api-key';
import { SqliteStorage } from '../store/sqlite/sqlite-storage.ts';
import { fakeClock } from '../testing/fake-clock.ts';
import { spawnNode } from '../testing/spawn.ts';
import { runCli } from './cli.ts';

let dir: string;
let dbPath: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keystore-cli-'));
  dbPath = join(dir, 'ks.sqlite');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    env: { KEYSTORE_DB: dbPath },
    cwd: dir,
    clock: fakeClock(),
    stdout: (text) => (out += text),
    stderr: (text) => (err += text),
  });
  return { code, out, err };
}

const keyLine = (out: string): string => /^key: (\S+)$/m.exec(out)?.[1] ?? '';

describe('keys CLI (spawned)', { timeout: 30_000 }, () => {
  it('create prints a key that parses, stored only as its hash', async () => {
    const run = spawnNode('cli.ts', ['create', '--env', 'test', '--name', 'spawned'], { KEYSTORE_DB: dbPath });
    expect(await run.exited).toBe(0);
    const key = keyLine(run.stdout());
    expect(parse(key)).toEqual({ ok: true, environment: 'test' });
    expect(run.stderr()).toMatch(/shown only once/);
    const storage = new SqliteStorage({ path: dbPath, now: Date.now() });
    expect((await storage.keys.findByHash(hash(key)))?.name).toBe('spawned');
    await storage.close();
  });

  it.each([
    ['--help'],
    ['create', '--help'],
    ['update', '--help'],
    ['list', '--help'],
    ['revoke', '--help'],
    ['roll', '--help'],
  ])('%s exits 0 with usage', async (...argv) => {
    const run = spawnNode('cli.ts', argv, { KEYSTORE_DB: dbPath });
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toMatch(/^Usage: npm run keys -- /);
  });

  it('bad input: one line on stderr, exit 1, no stack trace', async () => {
    const run = spawnNode('cli.ts', ['create', '--env', 'prod'], { KEYSTORE_DB: dbPath });
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toBe('error: --env: expected "live" or "test"\n');
    expect(run.stdout()).toBe('');
  });
});

describe('keys CLI', () => {
  it('create --json carries the key and the documented fields', async () => {
    const { code, out } = await cli(
      'create',
      '--env',
      'live',
      '--account',
      'acct_ops',
      '--capacity',
      '20',
      '--refill',
      '2',
      '--json',
    );
    expect(code).toBe(0);
    const data = JSON.parse(out) as Record<string, unknown>;
    expect(parse(data.key as string).ok).toBe(true);
    expect(data).toMatchObject({
      environment: 'live',
      accountId: 'acct_ops',
      rateLimit: { capacity: 20, refillPerSecond: 2 },
    });
  });

  it('list shows hints, never keys', async () => {
    const key = keyLine((await cli('create', '--env', 'test', '--name', 'one')).out);
    const table = await cli('list');
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^ID\s+ENV\s+STATUS\s+HINT/);
    expect(table.out).toContain(`sk_test_…${key.slice(-4)}`);
    expect(table.out).not.toContain(key);
    const json = await cli('list', '--json');
    expect(json.out).not.toContain(key);
    expect(JSON.parse(json.out)).toHaveLength(1);
  });

  it('writes an audit row for every change it makes, by "cli"', async () => {
    const created = JSON.parse((await cli('create', '--env', 'live', '--json')).out) as { id: string };
    await cli('roll', created.id, '--grace-seconds', '60');
    await cli('revoke', created.id);
    const storage = new SqliteStorage({ path: dbPath, now: Date.now() });
    const audit = await storage.accounts.listAudit({ limit: 10 });
    await storage.close();
    expect(audit.map((row) => [row.actor, row.action, row.target])).toEqual([
      ['cli', 'key.revoked', created.id],
      ['cli', 'key.rolled', created.id],
      ['cli', 'key.created', created.id],
    ]);
  });

  it('revoke and roll', async () => {
    const created = JSON.parse((await cli('create', '--env', 'live', '--json')).out) as { id: string };
    const rolled = await cli('roll', created.id, '--grace-seconds', '60');
    expect(rolled.code).toBe(0);
    expect(parse(keyLine(rolled.out)).ok).toBe(true);
    expect(rolled.out).toContain(`rolled from: ${created.id} (works until `);

    const revoked = await cli('revoke', created.id);
    expect(revoked.code).toBe(0);
    expect(revoked.out).toMatch(new RegExp(`^revoked ${created.id} \\(sk_live_…[0-9A-Za-z]{4}\\)\n$`));
    expect((await cli('revoke', created.id)).code).toBe(0);
    const again = await cli('roll', created.id);
    expect(again).toMatchObject({ code: 1, err: `error: key "${created.id}" is revoked and cannot be rolled\n` });
  });

  it.each([
    [['create'], 'error: --env: expected "live" or "test"\n'],
    [['create', '--env', 'live', '--capacity', '5'], 'error: --capacity and --refill go together\n'],
    [
      ['create', '--env', 'live', '--capacity', 'x', '--refill', '1'],
      'error: --capacity: expected an integer 1..1000000\n',
    ],
    [['roll', 'key_x', '--grace-seconds', '999999999'], 'error: --grace-seconds: expected an integer 0..604800\n'],
    [['revoke'], 'error: expected exactly one key id\n'],
    [['revoke', 'key_missing'], 'error: no key with id "key_missing"\n'],
    [['delete'], 'error: unknown command "delete" (commands: create, update, list, revoke, roll)\n'],
  ])('%j fails with a clear message', async (argv, message) => {
    expect(await cli(...argv)).toMatchObject({ code: 1, err: message });
  });
});
