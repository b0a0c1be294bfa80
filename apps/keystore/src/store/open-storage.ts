import type { Logger } from 'pino';
import type { DatabaseTarget } from '../config.ts';
import { SqliteStorage } from './sqlite/sqlite-storage.ts';
import type { Storage } from './storage.ts';

export interface OpenStorageOptions {
  now: number;
  logger: Logger;
  /** Off for the operator CLI: a one-shot process needs no wake-ups from other writers. */
  listen?: boolean;
}

/** Opens (and migrates) the configured database; the server and the operator CLI both come through here. */
export async function openStorage(target: DatabaseTarget, options: OpenStorageOptions): Promise<Storage> {
  if (target.engine === 'sqlite') return new SqliteStorage({ path: target.path, now: options.now });
  // Loaded only when configured: the embedded default never loads the PostgreSQL driver.
  const { PostgresStorage } = await import('./postgres/postgres-storage.ts');
  return PostgresStorage.open({
    url: target.url,
    poolSize: target.poolSize,
    now: options.now,
    logger: options.logger,
    listen: options.listen,
  });
}
