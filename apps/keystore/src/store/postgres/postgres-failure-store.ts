import type pg from 'pg';
import {
  nextFailureEntry,
  type FailureEntry,
  type FailurePolicy,
  type FailureStore,
} from '../../accounts/failure-store.ts';
import { translated } from './postgres-errors.ts';
import { inTransaction } from './postgres-pool.ts';

/** Lock-out counts in PostgreSQL: one row per subject, counted under its row lock, so replicas count once. */
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

  recordFailure(subject: string, now: number, policy: FailurePolicy): Promise<boolean> {
    return inTransaction(this.#pool, async (db) => {
      // The row exists before it is locked, so a first failure on two replicas at once also serialises.
      await db.query(
        'INSERT INTO login_failures (subject, failures, window_start, locked_until) VALUES ($1, 0, $2, 0) ON CONFLICT (subject) DO NOTHING',
        [subject, now],
      );
      const { rows } = await db.query<FailureEntry>(
        'SELECT failures, window_start AS "windowStart", locked_until AS "lockedUntil" FROM login_failures WHERE subject = $1 FOR UPDATE',
        [subject],
      );
      const { entry, locked } = nextFailureEntry(rows[0], now, policy);
      await db.query(
        'UPDATE login_failures SET failures = $2, window_start = $3, locked_until = $4 WHERE subject = $1',
        [subject, entry.failures, entry.windowStart, entry.lockedUntil],
      );
      return locked;
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
