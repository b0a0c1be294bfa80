import type { IssuedKey, KeystoreAdmin } from './keystore-admin.ts';
import { seedKeys } from './sqlite-key-seeder.ts';

/** Many unlimited live keys the proxy can look up. */
export type MakeKeys = (count: number) => Promise<IssuedKey[]>;

/**
 * Bulk keys: straight into the keystore's SQLite file when its schema is the
 * one we know (fast), else through the management API (slow but always right).
 */
export function keyMaker(options: { dbPath: string; admin: KeystoreAdmin; note: (line: string) => void }): MakeKeys {
  let fallback = false;
  return async (count) => {
    if (!fallback) {
      try {
        return seedKeys(options.dbPath, count);
      } catch (error) {
        fallback = true;
        options.note(`bulk keys through the management API: SQLite seeding failed (${(error as Error).message})`);
      }
    }
    return options.admin.createKeys(count, 64);
  };
}
