import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startPostgres } from './postgres-container.ts';

async function query(url: string, sql: string, timeoutMs = 2000): Promise<unknown> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result: pg.QueryResult | pg.QueryResult[] = await client.query(sql);
    // Several statements answer one result each.
    return (Array.isArray(result) ? result.at(-1) : result)?.rows[0];
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('startPostgres', () => {
  it('starts a reachable PostgreSQL that keeps its data and port across a restart, and can be paused', async () => {
    await using postgres = await startPostgres();
    const db = await postgres.createDatabase();
    expect(db).not.toBe(postgres.url);
    await query(db, 'CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');

    await postgres.restart();
    expect(await query(db, 'SELECT n FROM kept')).toEqual({ n: 42 });

    await postgres.pause();
    await expect(query(db, 'SELECT 1 AS one', 500)).rejects.toThrow();
    await postgres.unpause();
    expect(await query(db, 'SELECT 1 AS one')).toEqual({ one: 1 });
  });
});
