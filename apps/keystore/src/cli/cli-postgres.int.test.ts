import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hash } from '@routemcp/api-key';
import { startPostgres, type StartedPostgres } from '@routemcp/testing';
import { PostgresStorage } from '../store/postgres/postgres-storage.ts';
import { fakeClock } from '../testing/fake-clock.ts';
import { runCli } from './cli.ts';

let postgres: StartedPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.[Symbol.asyncDispose]();
});

async function cli(
  env: Record<string, string>,
  ...argv: string[]
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    env,
    cwd: '/',
    clock: fakeClock(),
    stdout: (text) => (out += text),
    stderr: (text) => (err += text),
  });
  return { code, out, err };
}

describe('keys CLI on PostgreSQL', () => {
  it('creates, lists and revokes from KEYSTORE_DATABASE_URL; a running replica wakes for each change', async () => {
    const url = await postgres.createDatabase();
    const env = { KEYSTORE_DATABASE_URL: url };
    const created = await cli(env, 'create', '--env', 'test', '--name', 'from the shell', '--json');
    expect(created.code).toBe(0);
    const { id, key } = JSON.parse(created.out) as { id: string; key: string };

    await using replica = await PostgresStorage.open({
      url,
      poolSize: 2,
      now: Date.now(),
      logger: pino({ level: 'silent' }),
    });
    expect((await replica.keys.findByHash(hash(key)))?.name).toBe('from the shell');
    let wakes = 0;
    replica.eventSignal?.subscribe(() => wakes++);
    const before = wakes;

    expect((await cli(env, 'list')).out).toContain(id);
    expect((await cli(env, 'revoke', id)).code).toBe(0);
    expect((await replica.keys.getKey(id))?.revokedAt).not.toBeNull();
    const deadline = Date.now() + 5000;
    while (wakes === before && Date.now() < deadline) await new Promise((done) => setTimeout(done, 10));
    expect(wakes).toBeGreaterThan(before);
    expect((await replica.accounts.listAudit({ limit: 5 })).map((e) => [e.actor, e.action])).toEqual([
      ['cli', 'key.revoked'],
      ['cli', 'key.created'],
    ]);
  });

  it('creates a key with policies and updates them, on PostgreSQL', async () => {
    const url = await postgres.createDatabase();
    const env = { KEYSTORE_DATABASE_URL: url };
    const created = await cli(
      env,
      'create',
      '--env',
      'live',
      '--owner',
      'cust_1',
      '--permission',
      'get /api/v1/contacts',
      '--quota-limit',
      '50',
      '--quota-period',
      'day',
      '--quota-shared',
      '--json',
    );
    expect(created.code, created.err).toBe(0);
    const { id } = JSON.parse(created.out) as { id: string };
    const updated = await cli(env, 'update', id, '--allowed-ip', '10.0.0.0/8', '--clear', 'permissions', '--json');
    expect(updated.code, updated.err).toBe(0);
    expect(JSON.parse(updated.out)).toMatchObject({
      ownerId: 'cust_1',
      permissions: null,
      allowedIps: ['10.0.0.0/8'],
      quota: { limit: 50, period: 'day', shared: true, used: 0, remaining: 50 },
    });
    expect(await cli(env, 'update', id, '--clear', 'owner')).toMatchObject({
      code: 1,
      err: 'error: --quota-limit/--quota-period: a shared quota needs the key to have an ownerId\n',
    });
  });

  it('refuses KEYSTORE_DB beside KEYSTORE_DATABASE_URL, naming both', async () => {
    const result = await cli({ KEYSTORE_DATABASE_URL: postgres.url, KEYSTORE_DB: '/tmp/x.sqlite' }, 'list');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^error: KEYSTORE_DATABASE_URL and KEYSTORE_DB: /);
  });
});
