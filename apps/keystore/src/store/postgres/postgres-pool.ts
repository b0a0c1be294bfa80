import pg from 'pg';
import type { Logger } from 'pino';
import { translatePgError, translated } from './postgres-errors.ts';

const INT8 = 20;

/** Times and seqs are bigint columns holding epoch ms / counters well inside 2^53: read them as numbers. */
export const pgTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export interface PoolOptions {
  url: string;
  size: number;
  logger: Logger;
}

/**
 * Every failure path bounded in time: connecting (2 s), a statement (5 s,
 * on the client and on the server), and a transaction left idle by a stalled
 * replica (10 s: it must not hold the event lock for ever).
 */
export function connectionSettings(url: string): pg.ClientConfig {
  return {
    connectionString: url,
    connectionTimeoutMillis: 2000,
    query_timeout: 5000,
    statement_timeout: 5000,
    idle_in_transaction_session_timeout: 10_000,
    keepAlive: true,
    application_name: 'routemcp-keystore',
    types: pgTypes,
  };
}

export function createPool({ url, size, logger }: PoolOptions): pg.Pool {
  const pool = new pg.Pool({ ...connectionSettings(url), max: size, idleTimeoutMillis: 30_000 });
  // An idle client whose server went away emits here; without a listener that would crash the process.
  pool.on('error', (error) => logger.warn({ err: error }, 'idle PostgreSQL connection lost'));
  return pool;
}

export type Queryable = Pick<pg.PoolClient, 'query'>;

/** A query with its own client-side timeout (node-postgres reads `query_timeout` per query; its types do not list it). */
export function withTimeout(text: string, ms: number): pg.QueryConfig {
  return { text, query_timeout: ms } as pg.QueryConfig;
}

/**
 * One transaction on one pooled connection. `eventLock`: take the event
 * log's lock first (see postgres-key-store.ts). A connection that failed is
 * destroyed, not returned to the pool.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  body: (client: Queryable) => Promise<T>,
  options: { eventLock?: readonly [number, number] } = {},
): Promise<T> {
  return translated(async () => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      if (options.eventLock !== undefined)
        await client.query('SELECT pg_advisory_xact_lock($1, $2)', [...options.eventLock]);
      const result = await body(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      if (translatePgError(error) !== error) broken ??= error as Error;
      throw error;
    } finally {
      client.release(broken);
    }
  });
}
