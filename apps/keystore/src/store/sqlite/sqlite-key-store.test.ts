import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NO_POLICIES } from '../../keys/key-record.ts';
import { KeyService } from '../../keys/key-service.ts';
import { fakeClock } from '../../testing/fake-clock.ts';
import { runLeakStorageContract } from '../../testing/storage-contract-leaks.ts';
import { runStorageContract, type ContractDatabase } from '../../testing/storage-contract.ts';
import { migrate, migrations, userVersion } from './sqlite-migrations.ts';
import { SqliteStorage } from './sqlite-storage.ts';
import type { Storage } from '../storage.ts';

const sqliteDatabase = async (): Promise<ContractDatabase> => {
  const dir = mkdtempSync(join(tmpdir(), 'keystore-contract-'));
  const path = join(dir, 'keystore.sqlite');
  const opened: Storage[] = [];
  const open = async () => {
    const storage = new SqliteStorage({ path, now: Date.now() });
    opened.push(storage);
    return storage;
  };
  return {
    open,
    openAnother: open,
    async [Symbol.asyncDispose]() {
      for (const storage of opened) await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
runStorageContract('SQLite file', sqliteDatabase);
runLeakStorageContract('SQLite file', sqliteDatabase);

let dir: string;
let path: string;
let storage: SqliteStorage;
const clock = fakeClock();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keystore-store-'));
  path = join(dir, 'nested', 'keystore.sqlite');
  storage = new SqliteStorage({ path, now: clock.now() });
});

afterEach(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SQLite migrations', () => {
  it('bring a new file to the latest user_version; a second run applies nothing', () => {
    const db = new DatabaseSync(path);
    expect(userVersion(db)).toBe(migrations.length);
    expect(migrate(db, { now: clock.now() })).toBe(0);
    db.close();
  });

  it('bring a version-3 file (before key policies) forward: its keys have none, its usage counts as admitted', async () => {
    const oldPath = join(dir, 'v3.sqlite');
    const db = new DatabaseSync(oldPath);
    for (let version = 0; version < 3; version++) {
      migrations[version]?.(db, { now: clock.now() });
      db.exec(`PRAGMA user_version = ${version + 1}`);
    }
    const account = (db.prepare("SELECT value FROM meta WHERE name = 'default_account'").get() as { value: string })
      .value;
    db.prepare(
      `INSERT INTO keys (id, account_id, environment, hash, hint, name, capacity, refill_per_second, created_at)
       VALUES ('key_old', ?, 'live', ?, 'sk_live_…abcd', 'old', 5, 1, ?)`,
    ).run(account, 'a'.repeat(64), clock.now());
    db.prepare("INSERT INTO key_usage (key_id, hour, requests, rate_limited) VALUES ('key_old', ?, 10, 3)").run(
      clock.now(),
    );
    db.close();

    const upgraded = new SqliteStorage({ path: oldPath, now: clock.now() });
    try {
      expect(upgraded.migrationsApplied).toBe(migrations.length - 3);
      expect(await upgraded.keys.getKey('key_old')).toMatchObject({
        name: 'old',
        rateLimit: { capacity: 5, refillPerSecond: 1 },
        ...NO_POLICIES,
      });
      expect(await upgraded.accounts.usageSince(['key_old'], 0)).toEqual([
        { keyId: 'key_old', hour: clock.now(), requests: 10, rateLimited: 3, admitted: 7 },
      ]);
      expect(await upgraded.keys.admittedSince({ keyId: 'key_old' }, 0)).toBe(7);
    } finally {
      await upgraded.close();
    }
  });

  it('make the users of a file from before members their account’s owners, with their sessions', async () => {
    const oldPath = join(dir, 'before-members.sqlite');
    const db = new DatabaseSync(oldPath);
    // Up to the first step that has a users table, whatever its number: nothing here counts migrations.
    const hasUsers = () => db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'users'").get() !== undefined;
    for (let version = 0; !hasUsers(); version++) {
      migrations[version]?.(db, { now: clock.now() });
      db.exec(`PRAGMA user_version = ${version + 1}`);
    }
    const account = (db.prepare("SELECT value FROM meta WHERE name = 'default_account'").get() as { value: string })
      .value;
    db.prepare(
      "INSERT INTO users (id, account_id, email, password_hash, created_at) VALUES ('user_old', ?, 'old@example.com', 'h', 1)",
    ).run(account);
    db.prepare(
      "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ('s', 'user_old', 'c', 1, 1, 9e15)",
    ).run();
    db.close();

    const upgraded = new SqliteStorage({ path: oldPath, now: clock.now() });
    try {
      expect(await upgraded.accounts.listMembers(account)).toEqual([
        {
          id: 'user_old',
          accountId: account,
          email: 'old@example.com',
          passwordHash: 'h',
          role: 'owner',
          createdAt: 1,
          lastLoginAt: null,
        },
      ]);
      expect((await upgraded.accounts.findSession('s'))?.user.role).toBe('owner');
    } finally {
      await upgraded.close();
    }
  });

  it('use WAL with full sync', () => {
    const db = new DatabaseSync(path);
    expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    db.close();
  });

  it('have no column that could hold a key', () => {
    const db = new DatabaseSync(path);
    const columns = (db.prepare('PRAGMA table_info(keys)').all() as { name: string }[]).map((c) => c.name);
    db.close();
    expect(columns).not.toContain('key');
    expect(columns).toEqual(expect.arrayContaining(['id', 'hash', 'hint']));
  });
});

describe('SqliteKeyStore', () => {
  it('never writes the key itself to disk', async () => {
    const keys = new KeyService({ store: storage.keys, clock });
    const created = await keys.create({ environment: 'test', name: 'disk check' }, { createAccount: false });
    if (!created.ok) throw new Error('create failed');
    const files = readdirSync(join(dir, 'nested'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(readFileSync(join(dir, 'nested', file)).includes(created.issued.key)).toBe(false);
    }
    expect((await storage.keys.findByHash(created.issued.record.hash))?.id).toBe(created.issued.record.id);
  });
});
