import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../store/sqlite/sqlite-storage.ts';
import { fakeClock, type FakeClock } from '../testing/fake-clock.ts';
import { HELP } from './help.ts';
import { runCli } from './cli.ts';

let dir: string;
let dbPath: string;
let clock: FakeClock;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keystore-cli-policies-'));
  dbPath = join(dir, 'ks.sqlite');
  clock = fakeClock();
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
    clock,
    stdout: (text) => (out += text),
    stderr: (text) => (err += text),
  });
  return { code, out, err };
}

const json = async (...argv: string[]) => {
  const result = await cli(...argv, '--json');
  if (result.code !== 0) throw new Error(result.err);
  return JSON.parse(result.out) as Record<string, unknown> & { id: string };
};

const EVERY_FLAG = [
  ['--owner', 'cust_42'],
  ['--permission', 'get /api/v1/contacts'],
  ['--permission', '* /api/v1/deals/**'],
  ['--allowed-ip', '10.0.0.0/8'],
  ['--allowed-ip', '2001:DB8::/32'],
  ['--rate-limit', 'burst:10:5'],
  ['--rate-limit', 'owner:1000:0.5:shared:shadow'],
  ['--quota-limit', '1000'],
  ['--quota-period', 'month'],
  ['--quota-shared'],
  ['--metadata', '{"plan":"pro"}'],
  ['--expires-at', '2026-12-01T00:00:00Z'],
].flat();

const EVERY_FIELD = {
  ownerId: 'cust_42',
  permissions: ['GET /api/v1/contacts', '* /api/v1/deals/**'],
  allowedIps: ['10.0.0.0/8', '2001:db8::/32'],
  rateLimits: [
    { name: 'burst', capacity: 10, refillPerSecond: 5, shared: false, shadow: false },
    { name: 'owner', capacity: 1000, refillPerSecond: 0.5, shared: true, shadow: true },
  ],
  quota: { limit: 1000, period: 'month', shared: true },
  metadata: { plan: 'pro' },
  expiresAt: '2026-12-01T00:00:00.000Z',
};

describe('keys CLI: policies', () => {
  it('create and update --help list a flag for every field', () => {
    for (const command of ['create', 'update']) {
      for (const flag of [
        '--name',
        '--capacity',
        '--refill',
        '--owner',
        '--permission',
        '--allowed-ip',
        '--rate-limit',
        '--quota-limit',
        '--quota-period',
        '--quota-shared',
        '--metadata',
      ]) {
        expect(HELP[command], `${command} ${flag}`).toContain(`  ${flag} `);
      }
    }
    expect(HELP.create).toContain('  --expires-at ');
    expect(HELP.update).toContain('  --clear FIELD ');
  });

  it('create takes every field; the key in the database has them, normalised', async () => {
    const created = await json('create', '--env', 'live', ...EVERY_FLAG);
    expect(created).toMatchObject(EVERY_FIELD);
    const storage = new SqliteStorage({ path: dbPath, now: clock.now() });
    expect(await storage.keys.getKey(created.id)).toMatchObject({
      ...EVERY_FIELD,
      expiresAt: Date.parse(EVERY_FIELD.expiresAt),
    });
    await storage.close();
  });

  it('create prints the settings in its text output', async () => {
    const { out } = await cli('create', '--env', 'live', ...EVERY_FLAG);
    expect(out).toContain('owner: cust_42\n');
    expect(out).toContain('permissions: GET /api/v1/contacts, * /api/v1/deals/**\n');
    expect(out).toContain('rate limit owner: 1000 burst, 0.5/s (shared, shadow)\n');
    expect(out).toContain('quota: 1000 per month (shared by the owner)\n');
    expect(out).toContain('metadata: {"plan":"pro"}\n');
  });

  it('update changes only what it is given, replaces lists, clears with --clear, and writes an updated event', async () => {
    const { id } = await json('create', '--env', 'live', ...EVERY_FLAG);
    const narrowed = await json('update', id, '--permission', 'GET /api/v1/contacts', '--name', 'billing');
    expect(narrowed).toMatchObject({
      ...EVERY_FIELD,
      name: 'billing',
      permissions: ['GET /api/v1/contacts'],
      quota: { ...EVERY_FIELD.quota, used: 0, remaining: 1000 },
    });
    const cleared = await json(
      'update',
      id,
      '--clear',
      'rate-limits',
      '--clear',
      'quota',
      '--clear',
      'owner',
      '--clear',
      'metadata',
      '--clear',
      'name',
    );
    expect(cleared).toMatchObject({ name: null, ownerId: null, rateLimits: null, quota: null, metadata: null });
    expect(cleared.permissions).toEqual(['GET /api/v1/contacts']);
    const text = await cli('update', id, '--quota-limit', '5', '--quota-period', 'day');
    expect(text.out).toMatch(new RegExp(`^updated ${id} \\(sk_live_…\\w{4}\\)\n`));
    expect(text.out).toContain('quota: 5 per day, 0 used\n');

    const storage = new SqliteStorage({ path: dbPath, now: clock.now() });
    expect((await storage.keys.eventsAfter(0, 10)).map((e) => e.type)).toEqual([
      'created',
      'updated',
      'updated',
      'updated',
    ]);
    expect((await storage.accounts.listAudit({ limit: 1 }))[0]).toMatchObject({ actor: 'cli', action: 'key.updated' });
    await storage.close();
  });

  it.each([
    [
      ['create', '--env', 'live', '--permission', 'GET /a', '--permission', 'GET a'],
      '--permission #2: the path must start with /',
    ],
    [
      ['create', '--env', 'live', '--allowed-ip', 'localhost'],
      '--allowed-ip #1: "localhost" is not an IPv4/IPv6 address or CIDR',
    ],
    [['create', '--env', 'live', '--owner', 'a b'], '--owner: expected 1-64 characters from A-Z a-z 0-9 . _ : @ -'],
    [
      ['create', '--env', 'live', '--rate-limit', 'burst:10'],
      '--rate-limit "burst:10": expected NAME:CAPACITY:REFILL[:shared][:shadow]',
    ],
    [
      ['create', '--env', 'live', '--rate-limit', 'burst:10:1:fast'],
      '--rate-limit "burst:10:1:fast": "fast" is not shared or shadow',
    ],
    [
      ['create', '--env', 'live', '--rate-limit', 'burst:0:1'],
      '--rate-limit #1 capacity: expected an integer 1..1000000',
    ],
    [
      ['create', '--env', 'live', '--rate-limit', 'a:1:1:shared'],
      '--rate-limit: a shared bucket needs the key to have an ownerId',
    ],
    [
      ['create', '--env', 'live', '--capacity', '5', '--refill', '1', '--rate-limit', 'a:1:1'],
      '--capacity/--refill and --rate-limit: set one of them (the other to null); rateLimit is the one-bucket shorthand',
    ],
    [['create', '--env', 'live', '--quota-limit', '5'], '--quota-limit and --quota-period go together'],
    [['create', '--env', 'live', '--quota-shared'], '--quota-shared needs --quota-limit and --quota-period'],
    [
      ['create', '--env', 'live', '--quota-limit', 'lots', '--quota-period', 'day'],
      '--quota-limit: expected an integer 1..1000000000000',
    ],
    [
      ['create', '--env', 'live', '--quota-limit', '5', '--quota-period', 'week'],
      '--quota-period: expected "day", "month" or "total"',
    ],
    [['create', '--env', 'live', '--metadata', '{plan'], '--metadata: expected a JSON object, e.g. \'{"plan":"pro"}\''],
    [
      ['create', '--env', 'live', '--metadata', '[1]'],
      '--metadata: expected a JSON object of at most 1024 bytes, or null',
    ],
    [
      ['create', '--env', 'live', '--expires-at', '2020-01-01T00:00:00Z'],
      '--expires-at: expected a time in the future',
    ],
    [['update', 'key_missing', '--name', 'x'], 'no key with id "key_missing"'],
    [['update', 'key_missing'], 'nothing to change (see "update --help")'],
    [
      ['update', 'key_x', '--clear', 'everything'],
      '--clear: "everything" is not one of name, rate-limit, owner, permissions, allowed-ips, rate-limits, quota, metadata',
    ],
    [['update', 'key_x', '--clear', 'owner', '--owner', 'o'], '--clear owner: that field is also being set'],
  ])('%j: one line naming the flag', async (argv, message) => {
    expect(await cli(...argv)).toMatchObject({ code: 1, err: `error: ${message}\n`, out: '' });
  });

  it('update refuses to take the owner away from a shared limit, and changes nothing', async () => {
    const { id } = await json(
      'create',
      '--env',
      'live',
      '--owner',
      'o',
      '--quota-limit',
      '5',
      '--quota-period',
      'day',
      '--quota-shared',
    );
    expect(await cli('update', id, '--clear', 'owner')).toMatchObject({
      code: 1,
      err: 'error: --quota-limit/--quota-period: a shared quota needs the key to have an ownerId\n',
    });
    expect((await json('list')) as unknown).toMatchObject([{ id, ownerId: 'o' }]);
  });

  it('roll refuses an expired key', async () => {
    const { id } = await json('create', '--env', 'live', '--expires-at', new Date(clock.now() + 1000).toISOString());
    clock.advance(1000);
    expect(await cli('roll', id)).toMatchObject({
      code: 1,
      err: `error: key "${id}" is expired and cannot be rolled\n`,
    });
  });
});
