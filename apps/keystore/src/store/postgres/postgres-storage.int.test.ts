import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { startPostgres, type StartedPostgres } from '@routemcp/testing';
import { runStorageContract } from '../../testing/storage-contract.ts';
import type { Storage } from '../storage.ts';
import { PostgresStorage } from './postgres-storage.ts';

let postgres: StartedPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.[Symbol.asyncDispose]();
});

runStorageContract('PostgreSQL', async () => {
  const url = await postgres.createDatabase();
  const opened: Storage[] = [];
  const open = async () => {
    const storage = await PostgresStorage.open({
      url,
      poolSize: 4,
      now: Date.now(),
      logger: pino({ level: 'silent' }),
    });
    opened.push(storage);
    return storage;
  };
  return {
    open,
    openAnother: open,
    async [Symbol.asyncDispose]() {
      for (const storage of opened) await storage.close();
    },
  };
});
