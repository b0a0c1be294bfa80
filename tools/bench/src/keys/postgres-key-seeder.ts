import pg from 'pg';
import { UNLIMITED, type IssuedKey } from './keystore-admin.ts';
import { schemaProblem, seedKeys, type KeyColumn } from './seed-rows.ts';

/** A row of `information_schema.columns`, the part a seeder reads. */
export interface PostgresColumnInfo {
  column_name: string;
  is_nullable: 'YES' | 'NO';
  column_default: string | null;
  is_identity: 'YES' | 'NO';
  is_generated: 'ALWAYS' | 'NEVER';
}

/** information_schema → KeyColumn: an identity or generated column fills itself (`keys.ord` is one). */
export function postgresColumn(info: PostgresColumnInfo): KeyColumn {
  return {
    name: info.column_name,
    required:
      info.is_nullable === 'NO' &&
      info.column_default === null &&
      info.is_identity === 'NO' &&
      info.is_generated === 'NEVER',
  };
}

/**
 * Writes `count` keys straight into the keystore's PostgreSQL `keys` table
 * (the keystore's own schema, checked by shape first, as the SQLite seeder
 * does) in one transaction and one statement. No event rows: a seeded key is
 * found by the proxy's lookup by hash, which is the path (cache-miss) measures, and a
 * "created" event would only tell proxies to drop an entry they do not hold.
 */
export async function seedPostgresKeys(url: string, count: number, now = Date.now()): Promise<IssuedKey[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, statement_timeout: 60_000 });
  await client.connect();
  try {
    const { rows: columns } = await client.query<PostgresColumnInfo>(
      `SELECT column_name, is_nullable, column_default, is_identity, is_generated
         FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'keys'`,
    );
    const problem = schemaProblem(columns.map(postgresColumn));
    if (problem !== null) throw new Error(problem);
    const account = await client.query<{ value: string }>(
      "SELECT value FROM keystore_meta WHERE name = 'default_account'",
    );
    const accountId = account.rows[0]?.value;
    if (accountId === undefined) throw new Error('keystore database has no default account');
    const keys = seedKeys(count);
    await client.query('BEGIN');
    try {
      await client.query(
        `INSERT INTO keys (id, account_id, environment, hash, hint, name, capacity, refill_per_second, created_at)
         SELECT id, $4, 'live', hash, hint, 'bench', $5, $6, $7
           FROM unnest($1::text[], $2::text[], $3::text[]) AS seeded(id, hash, hint)`,
        [
          keys.map((k) => k.id),
          keys.map((k) => k.hash),
          keys.map((k) => k.hint),
          accountId,
          UNLIMITED.capacity,
          UNLIMITED.refillPerSecond,
          now,
        ],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
    return keys.map(({ id, key, hint }) => ({ id, key, hint }));
  } finally {
    await client.end();
  }
}
