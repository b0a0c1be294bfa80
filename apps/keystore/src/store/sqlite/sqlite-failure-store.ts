import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { FailureEntry, FailureStep, FailureStore } from '../../accounts/failure-store.ts';
import { StatementCache } from './sqlite-connection.ts';

/** Lock-out counts in the keystore's SQLite file (the connection opened and migrated by SqliteKeyStore). */
export class SqliteFailureStore implements FailureStore {
  readonly #db: DatabaseSync;
  readonly #statements: StatementCache;

  constructor(options: { db: DatabaseSync }) {
    this.#db = options.db;
    this.#statements = new StatementCache(this.#db);
  }

  async lockedUntil(subject: string): Promise<number> {
    const row = this.#stmt('SELECT locked_until FROM login_failures WHERE subject = ?').get(subject) as
      { locked_until: number } | undefined;
    return row?.locked_until ?? 0;
  }

  async update<T>(subject: string, step: (current: FailureEntry | undefined) => FailureStep<T>): Promise<T> {
    // IMMEDIATE: the read and the write happen under the one write lock, so two processes cannot both take slot 5.
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const row = this.#stmt(
        'SELECT failures, window_start AS windowStart, locked_until AS lockedUntil FROM login_failures WHERE subject = ?',
      ).get(subject) as FailureEntry | undefined;
      const { next, result } = step(row === undefined ? undefined : { ...row });
      if (next === null) this.#stmt('DELETE FROM login_failures WHERE subject = ?').run(subject);
      else
        this.#stmt(
          `INSERT INTO login_failures (subject, failures, window_start, locked_until) VALUES (?, ?, ?, ?)
           ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start, locked_until = excluded.locked_until`,
        ).run(subject, next.failures, next.windowStart, next.lockedUntil);
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  async clear(subject: string): Promise<void> {
    this.#stmt('DELETE FROM login_failures WHERE subject = ?').run(subject);
  }

  async prune(before: number): Promise<number> {
    const sql = 'DELETE FROM login_failures WHERE locked_until < ? AND window_start < ?';
    return Number(this.#stmt(sql).run(before, before).changes);
  }

  #stmt(sql: string): StatementSync {
    return this.#statements.get(sql);
  }
}
