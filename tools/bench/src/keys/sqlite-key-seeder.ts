import { DatabaseSync } from 'node:sqlite';
import { generate, hash, hint } from '@routemcp/api-key';
import { UNLIMITED, type IssuedKey } from './keystore-admin.ts';

/** The keystore schema version this seeder writes (apps/keystore/src/store/migrations.ts). */
export const KNOWN_SCHEMA_VERSION = 1;

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
    const version = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
    if (version !== KNOWN_SCHEMA_VERSION) {
      throw new Error(`keystore schema version ${version}, seeder knows ${KNOWN_SCHEMA_VERSION}`);
    }
    const account = db.prepare("SELECT value FROM meta WHERE name = 'default_account'").get() as { value: string } | undefined;
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
