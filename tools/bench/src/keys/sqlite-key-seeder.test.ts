import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { hash, parse } from '@routemcp/api-key';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedSqliteKeys } from './sqlite-key-seeder.ts';

let dir: string;
let dbPath: string;

function createDatabase(extraKeyColumns = ''): void {
  const db = new DatabaseSync(dbPath);
  db.exec(`
    CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
    INSERT INTO meta VALUES ('default_account', 'acct_default');
    CREATE TABLE keys (
      id TEXT PRIMARY KEY, account_id TEXT NOT NULL, environment TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,
      hint TEXT NOT NULL, name TEXT, capacity INTEGER, refill_per_second REAL, created_at INTEGER NOT NULL,
      expires_at INTEGER, revoked_at INTEGER ${extraKeyColumns}
    ) STRICT;
  `);
  db.close();
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bench-seed-'));
  dbPath = join(dir, 'keystore.sqlite');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('seedSqliteKeys', () => {
  it('writes well-formed keys whose hashes the keystore can find', () => {
    createDatabase();
    const keys = seedSqliteKeys(dbPath, 3, 1_700_000_000_000);
    expect(keys).toHaveLength(3);
    const db = new DatabaseSync(dbPath);
    for (const { id, key, hint } of keys) {
      expect(parse(key).ok).toBe(true);
      expect(id).toMatch(/^key_[0-9A-Za-z]{24}$/);
      expect(db.prepare('SELECT id, hint, account_id FROM keys WHERE hash = ?').get(hash(key))).toEqual({
        id,
        hint,
        account_id: 'acct_default',
      });
    }
    db.close();
  });

  it('refuses a keys table with a required column it does not fill, and writes nothing', () => {
    createDatabase(', owner TEXT NOT NULL');
    expect(() => seedSqliteKeys(dbPath, 3)).toThrow(/requires owner/);
    const db = new DatabaseSync(dbPath);
    expect(db.prepare('SELECT count(*) AS n FROM keys').get()).toEqual({ n: 0 });
    db.close();
  });
});
