import { SqliteAccountStore } from './sqlite-account-store.ts';
import { SqliteFailureStore } from './sqlite-failure-store.ts';
import { SqliteKeyStore, type SqliteKeyStoreOptions } from './sqlite-key-store.ts';
import { SqliteWebhookStore } from './sqlite-webhook-store.ts';
import type { Storage } from '../storage.ts';

/** The embedded default: one SQLite file, one connection shared by every store. `:memory:` is the in-memory adapter. */
export class SqliteStorage implements Storage {
  readonly engine = 'sqlite';
  readonly keys: SqliteKeyStore;
  readonly accounts: SqliteAccountStore;
  readonly failures: SqliteFailureStore;
  readonly webhooks: SqliteWebhookStore;
  readonly eventSignal = undefined;
  readonly migrationsApplied: number;

  constructor(options: SqliteKeyStoreOptions) {
    this.keys = new SqliteKeyStore(options);
    this.accounts = new SqliteAccountStore({ db: this.keys.database });
    this.failures = new SqliteFailureStore({ db: this.keys.database });
    this.webhooks = new SqliteWebhookStore({ db: this.keys.database });
    this.migrationsApplied = this.keys.migrationsApplied;
  }

  ping(): Promise<void> {
    return this.keys.ping();
  }

  async close(): Promise<void> {
    this.keys.close();
  }
}
