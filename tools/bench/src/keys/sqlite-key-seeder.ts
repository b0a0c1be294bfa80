import { DatabaseSync } from 'node:sqlite';
import { UNLIMITED, type IssuedKey } from './keystore-admin.ts';
import { schemaProblem, seedKeys, type KeyColumn } from './seed-rows.ts';

interface ColumnInfo {
  name: string;
  notnull: number;
  dflt_value: unknown;
  pk: number;
}

/** PRAGMA table_info → KeyColumn: a primary key column is the rowid (or filled by us), never required. */
export function sqliteColumn(info: ColumnInfo): KeyColumn {
  return { name: info.name, required: info.notnull === 1 && info.dflt_value === null && info.pk === 0 };
}

/**
 * Writes `count` keys straight into the keystore's SQLite file in one
 * transaction. The management API fsyncs every key (synchronous = FULL), about
 * 150 keys/s here, so 100 000 keys through it would take longer than the
 * whole bench; the proxy only ever sees the rows, so rows are what it needs.
 * Refuses a schema it does not know rather than guessing; the caller then
 * falls back to the API.
 */
export function seedSqliteKeys(dbPath: string, count: number, now = Date.now()): IssuedKey[] {
  const db = new DatabaseSync(dbPath);
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    const columns = db.prepare('PRAGMA table_info(keys)').all() as unknown as ColumnInfo[];
    const problem = schemaProblem(columns.map(sqliteColumn));
    if (problem !== null) throw new Error(problem);
    const account = db.prepare("SELECT value FROM meta WHERE name = 'default_account'").get() as
      { value: string } | undefined;
    if (account === undefined) throw new Error('keystore database has no default account');
    const insert = db.prepare(
      `INSERT INTO keys (id, account_id, environment, hash, hint, name, capacity, refill_per_second, created_at)
       VALUES (?, ?, 'live', ?, ?, 'bench', ?, ?, ?)`,
    );
    const keys = seedKeys(count);
    db.exec('BEGIN IMMEDIATE');
    try {
      for (const { id, hash, hint } of keys)
        insert.run(id, account.value, hash, hint, UNLIMITED.capacity, UNLIMITED.refillPerSecond, now);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
    return keys.map(({ id, key, hint }) => ({ id, key, hint }));
  } finally {
    db.close();
  }
}
