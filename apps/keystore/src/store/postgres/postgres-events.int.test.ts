import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startPostgres, type StartedPostgres } from '@routemcp/testing';
import { newKey } from '../../testing/storage-contract.ts';
import { postgresMigrations } from './postgres-migrations.ts';
import { PostgresStorage } from './postgres-storage.ts';

const logger = pino({ level: 'silent' });
let postgres: StartedPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.[Symbol.asyncDispose]();
});

async function client(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

const open = (url: string) => PostgresStorage.open({ url, poolSize: 4, now: Date.now(), logger });
const insertEvent = (c: pg.Client, keyId: string) =>
  c.query<{ seq: string }>(
    "INSERT INTO key_events (key_id, key_hash, type, at) VALUES ($1, repeat('a', 64), 'revoked', 0) RETURNING seq",
    [keyId],
  );

describe('PostgreSQL event log order', () => {
  it('a lower seq still uncommitted holds back every higher one, so a reader on any replica never skips it', async () => {
    const url = await postgres.createDatabase();
    await using a = await open(url);
    await using b = await open(url);
    const t1 = await client(url);
    const t2 = await client(url);
    const admin = await client(url);
    try {
      // T1 draws the lower seq and stays open.
      await t1.query('BEGIN');
      const low = Number((await insertEvent(t1, 'key_low')).rows[0]?.seq);
      // T2 starts after it and asks to commit first.
      await t2.query('BEGIN');
      const high = insertEvent(t2, 'key_high');
      const t2Commit = high.then(() => t2.query('COMMIT'));
      let t2Done = false;
      void t2Commit.then(() => (t2Done = true));
      await vi.waitFor(
        async () => {
          const { rows } = await admin.query(
            "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory' AND query LIKE 'INSERT INTO key_events%'",
          );
          expect(rows).toHaveLength(1);
        },
        { timeout: 5000, interval: 20 },
      );
      // Both replicas read while T1 is open: nothing is visible above the cursor, and T2 has not committed.
      const seen: number[] = [];
      let cursor = await a.keys.latestSeq();
      for (const replica of [a, b]) expect(await replica.keys.eventsAfter(cursor, 10)).toEqual([]);
      expect(t2Done).toBe(false);

      await t1.query('COMMIT');
      await t2Commit;
      const highSeq = Number((await high).rows[0]?.seq);
      expect(highSeq).toBe(low + 1);
      for (const replica of [b, a]) {
        const events = await replica.keys.eventsAfter(cursor, 10);
        expect(events.map((e) => [e.seq, e.keyId])).toEqual([
          [low, 'key_low'],
          [highSeq, 'key_high'],
        ]);
      }
      for (const event of await b.keys.eventsAfter(cursor, 10)) seen.push((cursor = event.seq));
      expect(seen).toEqual([low, highSeq]);
    } finally {
      for (const c of [t1, t2, admin]) await c.end().catch(() => undefined);
    }
  });

  it('takes the seq under the lock even when an insert names its own', async () => {
    const url = await postgres.createDatabase();
    await using a = await open(url);
    const c = await client(url);
    try {
      await c.query(
        "INSERT INTO key_events (seq, key_id, key_hash, type, at) VALUES (999, 'key_x', repeat('a', 64), 'revoked', 0)",
      );
      expect((await a.keys.eventsAfter(0, 10)).map((e) => e.seq)).toEqual([1]);
    } finally {
      await c.end();
    }
  });

  it('wakes another replica through NOTIFY, and after its listener reconnects', async () => {
    const url = await postgres.createDatabase();
    await using a = await open(url);
    await using b = await open(url);
    const wakes: number[] = [];
    b.eventSignal?.subscribe(() => wakes.push(Date.now()));
    await vi.waitFor(() => expect(b.eventSignal?.connects).toBe(1), { timeout: 5000, interval: 20 });

    const before = wakes.length;
    await a.keys.createKey(newKey(a.keys.defaultAccountId), Date.now());
    await vi.waitFor(() => expect(wakes.length).toBeGreaterThan(before), { timeout: 5000, interval: 10 });

    // Kill B's LISTEN connection: it reconnects and wakes once more, since a NOTIFY may have been lost meanwhile.
    const admin = await client(url);
    try {
      const killed = await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'routemcp-keystore-listen' AND datname = current_database()",
      );
      expect(killed.rowCount).toBe(2);
    } finally {
      await admin.end();
    }
    const afterKill = wakes.length;
    await vi.waitFor(() => expect(b.eventSignal?.connects).toBe(2), { timeout: 10_000, interval: 20 });
    expect(wakes.length).toBeGreaterThan(afterKill);
  });

  it('migrates a fresh database exactly once when three replicas open it at once', async () => {
    const url = await postgres.createDatabase();
    const replicas = await Promise.all([open(url), open(url), open(url)]);
    try {
      const applied = replicas.map((r) => r.migrationsApplied).sort();
      expect(applied).toEqual([0, 0, postgresMigrations.length]);
      expect(new Set(replicas.map((r) => r.keys.epoch)).size).toBe(1);
      const c = await client(url);
      try {
        const { rows } = await c.query('SELECT version FROM keystore_schema_migrations ORDER BY version');
        expect(rows.map((r) => r.version)).toEqual(postgresMigrations.map((_, i) => i + 1));
      } finally {
        await c.end();
      }
      for (const replica of replicas) await replica.ping();
    } finally {
      for (const replica of replicas) await replica.close();
    }
  });
});
