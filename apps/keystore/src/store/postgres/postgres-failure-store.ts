import type pg from 'pg';
import type { FailureEntry, FailureStep, FailureStore } from '../../accounts/failure-store.ts';
import { translated } from './postgres-errors.ts';
import { inTransaction } from './postgres-pool.ts';

/** Attempt counts in PostgreSQL: one row per subject, changed under its row lock, so replicas count once. */
export class PostgresFailureStore implements FailureStore {
  readonly #pool: pg.Pool;

  constructor(options: { pool: pg.Pool }) {
    this.#pool = options.pool;
  }

  lockedUntil(subject: string): Promise<number> {
    return translated(async () => {
      const { rows } = await this.#pool.query<{ locked_until: number }>(
        'SELECT locked_until FROM login_failures WHERE subject = $1',
        [subject],
      );
      return rows[0]?.locked_until ?? 0;
    });
  }

  update<T>(subject: string, step: (current: FailureEntry | undefined) => FailureStep<T>): Promise<T> {
    return inTransaction(this.#pool, async (db) => {
      // The row exists before it is locked, so a first attempt on two replicas at once also serialises;
      // the one that created it sees no entry, as on the other adapters.
      const created = await db.query(
        'INSERT INTO login_failures (subject, failures, window_start, locked_until) VALUES ($1, 0, 0, 0) ON CONFLICT (subject) DO NOTHING RETURNING subject',
        [subject],
      );
      const { rows } = await db.query<FailureEntry>(
        'SELECT failures, window_start AS "windowStart", locked_until AS "lockedUntil" FROM login_failures WHERE subject = $1 FOR UPDATE',
        [subject],
      );
      const { next, result } = step(created.rowCount === 1 ? undefined : rows[0]);
      if (next === null) await db.query('DELETE FROM login_failures WHERE subject = $1', [subject]);
      else
        await db.query(
          'UPDATE login_failures SET failures = $2, window_start = $3, locked_until = $4 WHERE subject = $1',
          [subject, next.failures, next.windowStart, next.lockedUntil],
        );
      return result;
    });
  }

  async clear(subject: string): Promise<void> {
    await translated(() => this.#pool.query('DELETE FROM login_failures WHERE subject = $1', [subject]));
  }

  prune(before: number): Promise<number> {
    return translated(
      async () =>
        (await this.#pool.query('DELETE FROM login_failures WHERE locked_until < $1 AND window_start < $1', [before]))
          .rowCount ?? 0,
    );
  }
}
