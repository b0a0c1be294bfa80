import { DatabaseSync } from 'node:sqlite';
import { generate, hash, hint } from '@routemcp/api-key';
import { UNLIMITED, type IssuedKey } from './keystore-admin.ts';

/** The columns this seeder fills (apps/keystore/src/store/migrations.ts, table `keys`). */
const FILLED = [
  'id',
  'account_id',
  'environment',
  'hash',
  'hint',
  'name',
  'capacity',
  'refill_per_second',
  'created_at',
];

interface ColumnInfo {
  name: string;
  notnull: number;
  dflt_value: unknown;
  pk: number;
}

/**
 * Why the `keys` table is not one this seeder can write correctly, or null:
 * every column it fills must exist, and every column it leaves out must be
 * nullable or defaulted. Checked by shape, not by schema version, so
 * migrations elsewhere in the database do not disable seeding.
 */
export function schemaProblem(columns: readonly ColumnInfo[]): string | null {
  const names = new Set(columns.map((column) => column.name));
  const missing = FILLED.filter((name) => !names.has(name));
  if (missing.length > 0) return `keys table lacks ${missing.join(', ')}`;
  const unfilled = columns.filter(
    (column) => !FILLED.includes(column.name) && column.notnull === 1 && column.dflt_value === null && column.pk === 0,
  );
  return unfilled.length > 0 ? `keys table requires ${unfilled.map((column) => column.name).join(', ')}` : null;
}

/**
 * Writes `count` keys straight into the keystore's SQLite file in one
 * transaction. The management API fsyncs every key (synchronous = FULL), about
 * 150 keys/s here, so 100 000 keys through it would take longer than the
 * whole bench; the proxy only ever sees the rows, so rows are what it needs.
 * Refuses a schema it does not know rather than guessing; the caller then
 * falls back to the API.
 */
export function seedKeys(dbPath: string, count: number, now = Date.now()): IssuedKey[] {
  const db = new DatabaseSync(dbPath);
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    const problem = schemaProblem(db.prepare('PRAGMA table_info(keys)').all() as unknown as ColumnInfo[]);
    if (problem !== null) throw new Error(problem);
    const account = db.prepare("SELECT value FROM meta WHERE name = 'default_account'").get() as
      { value: string } | undefined;
    if (account === undefined) throw new Error('keystore database has no default account');
    const insert = db.prepare(
      `INSERT INTO keys (id, account_id, environment, hash, hint, name, capacity, refill_per_second, created_at)
       VALUES (?, ?, 'live', ?, ?, 'bench', ?, ?, ?)`,
    );
    const keys: IssuedKey[] = [];
    db.exec('BEGIN IMMEDIATE');
    try {
      for (let i = 0; i < count; i++) {
        const key = generate('live');
        // Another key's random part is a ready-made base62 id body (ids are key_ + 24 base62).
        const id = `key_${generate('live').slice(8, 32)}`;
        insert.run(id, account.value, hash(key), hint(key), UNLIMITED.capacity, UNLIMITED.refillPerSecond, now);
        keys.push({ id, key, hint: hint(key) });
      }
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
    return keys;
  } finally {
    db.close();
  }
}
