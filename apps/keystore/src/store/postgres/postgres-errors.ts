import { StorageUnavailableError } from '../storage-error.ts';

// SQLSTATE classes that mean "the server is not answering us", not "the query is wrong".
const UNAVAILABLE_CLASSES = ['08', '53', '57'];
const UNAVAILABLE_MESSAGES =
  /timeout|timed out|terminat|ECONNREFUSED|ECONNRESET|EPIPE|ENOTFOUND|EHOSTUNREACH|not queryable|Connection ended|closed/i;

/** The one place node-postgres failures are sorted: the database being away becomes StorageUnavailableError. */
export function translatePgError(error: unknown): unknown {
  if (error instanceof StorageUnavailableError) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const message = error instanceof Error ? error.message : String(error);
  const sqlState = /^[0-9A-Z]{5}$/.test(code);
  if (
    (sqlState && UNAVAILABLE_CLASSES.includes(code.slice(0, 2))) ||
    (!sqlState && UNAVAILABLE_MESSAGES.test(`${code} ${message}`))
  ) {
    return new StorageUnavailableError(`PostgreSQL unavailable: ${message}`, { cause: error });
  }
  return error;
}

/** Runs `body`, translating what it throws. */
export async function translated<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw translatePgError(error);
  }
}
