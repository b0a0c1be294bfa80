import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type StartedPostgres } from '@routemcp/testing';
import { rawHeadersGetter, startServerSpan } from '@routemcp/tracing';
import { installRecordingTracing } from '@routemcp/tracing/testing';
import { NO_POLICIES } from '../../keys/key-record.ts';
import { runLeakStorageContract } from '../../testing/storage-contract-leaks.ts';
import { runStorageContract, type ContractDatabase } from '../../testing/storage-contract.ts';
import type { Storage } from '../storage.ts';
import { traceStorage } from '../traced-storage.ts';
import { postgresMigrations } from './postgres-migrations.ts';
import { createPool, inTransaction } from './postgres-pool.ts';
import { PostgresStorage } from './postgres-storage.ts';

const logger = pino({ level: 'silent' });
let postgres: StartedPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.[Symbol.asyncDispose]();
});

const postgresDatabase = async (): Promise<ContractDatabase> => {
  const url = await postgres.createDatabase();
  const opened: Storage[] = [];
  const open = async () => {
    const storage = await PostgresStorage.open({ url, poolSize: 4, now: Date.now(), logger });
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
};
runStorageContract('PostgreSQL', postgresDatabase);
runLeakStorageContract('PostgreSQL', postgresDatabase);

describe('traced', () => {
  it("a lookup's span names PostgreSQL, the database and the server, and a failed call its error class", async () => {
    await using recording = installRecordingTracing();
    const url = await postgres.createDatabase();
    const raw = await PostgresStorage.open({ url, poolSize: 2, now: Date.now(), logger, listen: false });
    const storage = traceStorage(raw, recording.tracing, { engine: 'postgres', url, poolSize: 2 });
    const inRequest = async (work: () => Promise<unknown>) => {
      const { span, context: active } = startServerSpan(recording.tracing, 'GET /x', [], rawHeadersGetter, {});
      await context.with(active, work).catch(() => undefined);
      span.end();
    };
    await inRequest(() => storage.keys.findByHash('f'.repeat(64)));
    await storage.close();
    await inRequest(() => storage.keys.findByHash('f'.repeat(64)));

    const parsed = new URL(url);
    const database = parsed.pathname.slice(1);
    const [found, failed] = recording.finished().filter((span) => span.kind === SpanKind.CLIENT);
    expect(found!.name).toBe(`findByHash ${database}`);
    expect(found!.attributes).toEqual({
      'db.system.name': 'postgresql',
      'db.namespace': database,
      'db.operation.name': 'findByHash',
      'server.address': parsed.hostname,
      'server.port': Number(parsed.port),
    });
    expect(found!.status.code).toBe(SpanStatusCode.UNSET);
    expect(failed!.status.code).toBe(SpanStatusCode.ERROR);
    // pg's own "pool has ended" is a plain Error: its class is all error.type says.
    expect(failed!.attributes['error.type']).toBe('Error');
    const recorded = JSON.stringify(recording.finished().map((span) => [span.name, span.attributes, span.events]));
    expect(recorded).not.toContain('ffff');
    expect(recorded).not.toContain(decodeURIComponent(parsed.password));
  });
});

describe('a connection the server drops', () => {
  it('while checked out between two queries: the process lives, the transaction fails, the pool serves the next, no password is logged', async () => {
    const url = await postgres.createDatabase();
    const lines: string[] = [];
    const pool = createPool({ url, size: 2, logger: pino({ level: 'warn' }, { write: (line) => lines.push(line) }) });
    try {
      const transaction = inTransaction(pool, async (client) => {
        const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        const other = new pg.Client({ connectionString: url });
        await other.connect();
        await other.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        await other.end();
        // The server's goodbye arrives while no query runs on this client: an 'error' event, nothing else.
        await expect.poll(() => lines.some((line) => line.includes('PostgreSQL connection lost'))).toBe(true);
        await client.query('SELECT 1');
      });
      await expect(transaction).rejects.toThrow();
      const { rows } = await pool.query<{ one: number }>('SELECT 1 AS one');
      expect(rows).toEqual([{ one: 1 }]);
      const password = decodeURIComponent(new URL(url).password);
      expect(password.length).toBeGreaterThan(0);
      for (const line of lines) expect(line).not.toContain(password);
      expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'PostgreSQL connection lost', code: '57P01' });
    } finally {
      await pool.end();
    }
  });
});

describe('PostgreSQL migrations', () => {
  it('bring a version-1 database (before key policies) forward: its keys have none, its usage counts as admitted', async () => {
    const url = await postgres.createDatabase();
    const now = Date.parse('2026-06-01T10:00:00.000Z');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(
        'CREATE TABLE keystore_schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      await postgresMigrations[0]?.(client, { now });
      await client.query('INSERT INTO keystore_schema_migrations (version) VALUES (1)');
      const { rows } = await client.query<{ value: string }>(
        "SELECT value FROM keystore_meta WHERE name = 'default_account'",
      );
      await client.query(
        `INSERT INTO keys (id, account_id, environment, hash, hint, name, capacity, refill_per_second, created_at)
         VALUES ('key_old', $1, 'live', $2, 'sk_live_…abcd', 'old', 5, 1, $3)`,
        [rows[0]?.value, 'a'.repeat(64), now],
      );
      await client.query("INSERT INTO key_usage (key_id, hour, requests, rate_limited) VALUES ('key_old', $1, 10, 3)", [
        now,
      ]);
    } finally {
      await client.end();
    }

    const upgraded = await PostgresStorage.open({ url, poolSize: 2, now, logger });
    try {
      expect(upgraded.migrationsApplied).toBe(postgresMigrations.length - 1);
      expect(await upgraded.keys.getKey('key_old')).toMatchObject({
        name: 'old',
        rateLimit: { capacity: 5, refillPerSecond: 1 },
        ...NO_POLICIES,
      });
      expect(await upgraded.accounts.usageSince(['key_old'], 0)).toEqual([
        { keyId: 'key_old', hour: now, requests: 10, rateLimited: 3, admitted: 7 },
      ]);
      expect(await upgraded.keys.admittedSince({ keyId: 'key_old' }, 0)).toBe(7);
    } finally {
      await upgraded.close();
    }
  });
});
