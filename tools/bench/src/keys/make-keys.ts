import type { KeystoreDatabase } from '../processes/apps.ts';
import type { IssuedKey, KeystoreAdmin } from './keystore-admin.ts';
import { seedPostgresKeys } from './postgres-key-seeder.ts';
import { seedSqliteKeys } from './sqlite-key-seeder.ts';

/** Many unlimited live keys the proxy can look up. */
export type MakeKeys = (count: number) => Promise<IssuedKey[]>;

/**
 * Bulk keys: straight into the keystore's database when its `keys` table is
 * the one we know (fast), else through the management API (slow but always
 * right), with a note saying so.
 */
export function keyMaker(options: {
  database: KeystoreDatabase;
  admin: KeystoreAdmin;
  note: (line: string) => void;
}): MakeKeys {
  const { database } = options;
  let fallback = false;
  return async (count) => {
    if (!fallback) {
      try {
        return database.kind === 'sqlite'
          ? seedSqliteKeys(database.path, count)
          : await seedPostgresKeys(database.url, count);
      } catch (error) {
        fallback = true;
        options.note(
          `bulk keys through the management API: ${database.kind} seeding failed (${(error as Error).message})`,
        );
      }
    }
    return options.admin.createKeys(count, 64);
  };
}
