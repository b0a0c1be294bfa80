import type pg from 'pg';
import type { ManagementTokenRecord } from '../../tokens/management-token.ts';
import type { ManagementTokenStore } from '../../tokens/token-store.ts';
import { TOKEN_COLUMNS, tokenParams, toTokenRecord, type TokenRow } from '../token-rows.ts';
import { translated } from './postgres-errors.ts';

/** Management tokens in PostgreSQL: revoked on one replica, refused by all at their next lookup. */
export class PostgresTokenStore implements ManagementTokenStore {
  readonly #pool: pg.Pool;

  constructor(options: { pool: pg.Pool }) {
    this.#pool = options.pool;
  }

  async createManagementToken(record: ManagementTokenRecord): Promise<void> {
    await this.#query(
      `INSERT INTO management_tokens (${TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      tokenParams(record),
    );
  }

  async getManagementToken(id: string): Promise<ManagementTokenRecord | undefined> {
    const [row] = await this.#query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM management_tokens WHERE id = $1`, [id]);
    return row === undefined ? undefined : toTokenRecord(row);
  }

  async findManagementTokenByHash(hash: string): Promise<ManagementTokenRecord | undefined> {
    const [row] = await this.#query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM management_tokens WHERE token_hash = $1`, [
      hash,
    ]);
    return row === undefined ? undefined : toTokenRecord(row);
  }

  async listManagementTokens(accountId: string | undefined): Promise<ManagementTokenRecord[]> {
    const rows =
      accountId === undefined
        ? await this.#query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM management_tokens ORDER BY created_at DESC, id`)
        : await this.#query<TokenRow>(
            `SELECT ${TOKEN_COLUMNS} FROM management_tokens WHERE account_id = $1 ORDER BY created_at DESC, id`,
            [accountId],
          );
    return rows.map(toTokenRecord);
  }

  async revokeManagementToken(id: string, now: number): Promise<boolean> {
    const sql = 'UPDATE management_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING id';
    return (await this.#query(sql, [now, id])).length === 1;
  }

  async touchManagementToken(id: string, now: number, resolutionMs: number): Promise<void> {
    await this.#query(
      'UPDATE management_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at <= $3)',
      [now, id, now - resolutionMs],
    );
  }

  #query<Row extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<Row[]> {
    return translated(async () => (await this.#pool.query<Row>(sql, params)).rows);
  }
}
