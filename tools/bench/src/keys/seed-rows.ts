import { generate, hash, hint } from '@routemcp/api-key';
import type { IssuedKey } from './keystore-admin.ts';

/**
 * The `keys` columns a seeder fills, the same in both of the keystore's
 * schemas (apps/keystore/src/store/sqlite/sqlite-migrations.ts for SQLite,
 * store/postgres/postgres-migrations.ts for PostgreSQL).
 */
export const FILLED_COLUMNS = [
  'id',
  'account_id',
  'environment',
  'hash',
  'hint',
  'name',
  'capacity',
  'refill_per_second',
  'created_at',
] as const;

/** A `keys` column as a seeder needs to know it. */
export interface KeyColumn {
  name: string;
  /** An INSERT that leaves it out fails: NOT NULL, no default, not generated. */
  required: boolean;
}

/**
 * Why a `keys` table is not one a seeder can write correctly, or null:
 * every column it fills must exist, and every column it leaves out must be
 * optional. Checked by shape, not by schema version, so migrations
 * elsewhere in the database do not disable seeding.
 */
export function schemaProblem(columns: readonly KeyColumn[]): string | null {
  const names = new Set(columns.map((column) => column.name));
  const missing = FILLED_COLUMNS.filter((name) => !names.has(name));
  if (missing.length > 0) return `keys table lacks ${missing.join(', ')}`;
  const filled: readonly string[] = FILLED_COLUMNS;
  const unfilled = columns.filter((column) => column.required && !filled.includes(column.name));
  return unfilled.length > 0 ? `keys table requires ${unfilled.map((column) => column.name).join(', ')}` : null;
}

export interface SeedKey extends IssuedKey {
  /** SHA-256 of the key, as the keystore stores it. */
  hash: string;
}

/** `count` fresh live keys with ids in the keystore's shape (key_ + 24 base62). */
export function seedKeys(count: number): SeedKey[] {
  const keys: SeedKey[] = [];
  for (let i = 0; i < count; i++) {
    const key = generate('live');
    // Another key's random part is a ready-made base62 id body.
    const id = `key_${generate('live').slice(8, 32)}`;
    keys.push({ id, key, hint: hint(key), hash: hash(key) });
  }
  return keys;
}
