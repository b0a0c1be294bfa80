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

/**
 * What may be logged of a connection's error: its message and SQLSTATE. Not
 * the error itself: node-postgres' pool hangs the whole client on it
 * (`err.client`), connection parameters and password included.
 */
export function connectionErrorFields(error: unknown): { error: string; code?: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return {
    error: error instanceof Error ? error.message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

export function createPool({ url, size, logger }: PoolOptions): pg.Pool {
  const pool = new pg.Pool({ ...connectionSettings(url), max: size, idleTimeoutMillis: 30_000 });
  // A connection the server drops (a restart, a failover, pg_terminate_backend) emits 'error'. The pool
  // listens only while the client is idle; one checked out between two queries would crash the process
  // on an unhandled 'error' event. So every client gets its own listener for life; its next query fails,
  // and inTransaction releases it as broken.
  pool.on('connect', (client) => {
    client.on('error', (error) => logger.warn(connectionErrorFields(error), 'PostgreSQL connection lost'));
  });
  // The pool re-emits an idle client's error here after removing it; the client's listener has logged it.
  pool.on('error', () => {});
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
