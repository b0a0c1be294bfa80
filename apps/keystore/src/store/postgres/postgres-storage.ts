import type pg from 'pg';
import type { Logger } from 'pino';
import { StorageUnavailableError } from '../storage-error.ts';
import type { Storage } from '../storage.ts';
import { PostgresAccountStore } from './postgres-account-store.ts';
import { translated } from './postgres-errors.ts';
import { PostgresEventSignal } from './postgres-event-signal.ts';
import { PostgresFailureStore } from './postgres-failure-store.ts';
import { PostgresKeyStore } from './postgres-key-store.ts';
import { PostgresWebhookStore } from './postgres-webhook-store.ts';
import { migratePostgres } from './postgres-migrations.ts';
import { createPool } from './postgres-pool.ts';

export interface PostgresStorageOptions {
  url: string;
  poolSize: number;
  now: number;
  logger: Logger;
  /** How long `open` keeps trying a server that is not up yet (a container starting beside this one). */
  openTimeoutMs?: number;
  /** Off for the operator CLI: a one-shot process needs no wake-ups. */
  listen?: boolean;
}

/** The keystore on PostgreSQL: any number of replicas on one database, each answering everything. */
export class PostgresStorage implements Storage {
  readonly engine = 'postgres';
  readonly keys: PostgresKeyStore;
  readonly accounts: PostgresAccountStore;
  readonly failures: PostgresFailureStore;
  readonly webhooks: PostgresWebhookStore;
  readonly eventSignal: PostgresEventSignal | undefined;
  readonly migrationsApplied: number;
  readonly #pool: pg.Pool;

  private constructor(pool: pg.Pool, keys: PostgresKeyStore, signal: PostgresEventSignal | undefined, applied: number) {
    this.#pool = pool;
    this.keys = keys;
    this.accounts = new PostgresAccountStore({ pool });
    this.failures = new PostgresFailureStore({ pool });
    this.webhooks = new PostgresWebhookStore({ pool });
    this.eventSignal = signal;
    this.migrationsApplied = applied;
  }

  /** Connects, migrates (one replica at a time) and starts listening for events. */
  static async open(options: PostgresStorageOptions): Promise<PostgresStorage> {
    const pool = createPool({ url: options.url, size: options.poolSize, logger: options.logger });
    try {
      const applied = await untilUp(() => migratePostgres(pool, { now: options.now }, options.logger), options);
      const meta = await translated(async () => {
        const { rows } = await pool.query<{ name: string; value: string }>(
          "SELECT name, value FROM keystore_meta WHERE name IN ('epoch', 'default_account')",
        );
        return new Map(rows.map((row) => [row.name, row.value]));
      });
      const epoch = meta.get('epoch');
      const defaultAccountId = meta.get('default_account');
      if (epoch === undefined || defaultAccountId === undefined) throw new Error('keystore database has no epoch');
      const keys = new PostgresKeyStore({ pool, epoch, defaultAccountId });
      const signal =
        options.listen === false ? undefined : new PostgresEventSignal({ url: options.url, logger: options.logger });
      signal?.start();
      return new PostgresStorage(pool, keys, signal, applied);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
  }

  ping(): Promise<void> {
    return this.keys.ping();
  }

  async close(): Promise<void> {
    await this.eventSignal?.close();
    await this.#pool.end();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

async function untilUp<T>(step: () => Promise<T>, options: PostgresStorageOptions): Promise<T> {
  const deadline = Date.now() + (options.openTimeoutMs ?? 30_000);
  for (let attempt = 0; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (!(error instanceof StorageUnavailableError) || Date.now() >= deadline) throw error;
      options.logger.warn({ err: error }, 'PostgreSQL not reachable yet, retrying');
      await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** attempt)));
    }
  }
}
