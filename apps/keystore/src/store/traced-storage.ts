import type { Attributes } from '@opentelemetry/api';
import { traceMethods, type Tracing } from '@routemcp/tracing';
import type { DatabaseTarget } from '../config.ts';
import type { Storage } from './storage.ts';

/** The database semantic conventions' names for the two engines. */
const SYSTEM_NAME = { sqlite: 'sqlite', postgres: 'postgresql' } as const;
const POSTGRES_PORT = 5432;

/**
 * `storage` with every store method a CLIENT span when called for a request
 * (a lookup, a management call, a dashboard page): named after the method,
 * e.g. `findByHash`, with the database's attributes and no argument, row or
 * query text. Wrapped only when tracing is on (createKeystoreApp): off, the
 * stores are used as they are, at no cost per call.
 */
export function traceStorage(storage: Storage, tracing: Tracing, target: DatabaseTarget | undefined): Storage {
  const database = databaseAttributes(storage.engine, target);
  // Semantic conventions: `{db.operation.name} {target}`, the target being the namespace where there is one.
  const namespace = database['db.namespace'];
  const spanOf = (method: string) => ({
    name: namespace === undefined ? method : `${method} ${String(namespace)}`,
    attributes: { ...database, 'db.operation.name': method },
  });
  const whole = traceMethods(storage, tracing, spanOf);
  return {
    engine: storage.engine,
    keys: traceMethods(storage.keys, tracing, spanOf),
    accounts: traceMethods(storage.accounts, tracing, spanOf),
    failures: traceMethods(storage.failures, tracing, spanOf),
    webhooks: traceMethods(storage.webhooks, tracing, spanOf),
    eventSignal: storage.eventSignal,
    migrationsApplied: storage.migrationsApplied,
    ping: whole.ping,
    close: () => storage.close(),
  };
}

/**
 * `db.system.name`, and for PostgreSQL the database (`db.namespace`) and the
 * server, from the configured URL without its credentials. A SQLite file's
 * path is no namespace (its one schema is `main`), so SQLite spans have none.
 */
export function databaseAttributes(engine: Storage['engine'], target: DatabaseTarget | undefined): Attributes {
  const attributes: Attributes = { 'db.system.name': SYSTEM_NAME[engine] };
  if (target?.engine !== 'postgres') return attributes;
  const url = new URL(target.url);
  const database = decodeURIComponent(url.pathname.slice(1));
  if (database !== '') attributes['db.namespace'] = database;
  // A socket directory given as ?host= has no address worth naming; libpq's default port applies.
  if (url.hostname !== '') {
    attributes['server.address'] = url.hostname.replace(/^\[(.*)\]$/, '$1');
    attributes['server.port'] = url.port === '' ? POSTGRES_PORT : Number(url.port);
  }
  return attributes;
}
