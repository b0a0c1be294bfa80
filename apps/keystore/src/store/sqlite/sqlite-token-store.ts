import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { ManagementTokenRecord } from '../../tokens/management-token.ts';
import type { ManagementTokenStore } from '../../tokens/token-store.ts';
import { TOKEN_COLUMNS, tokenParams, toTokenRecord, type TokenRow } from '../token-rows.ts';
import { StatementCache } from './sqlite-connection.ts';

/** Management tokens on the keystore's SQLite connection; SqliteAccountStore delegates to it. */
export class SqliteTokenStore implements ManagementTokenStore {
  readonly #db: DatabaseSync;
  readonly #statements: StatementCache;

  constructor(options: { db: DatabaseSync }) {
    this.#db = options.db;
    this.#statements = new StatementCache(this.#db);
  }

  async createManagementToken(record: ManagementTokenRecord): Promise<void> {
    this.#stmt(`INSERT INTO management_tokens (${TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      ...tokenParams(record),
    );
  }

  async getManagementToken(id: string): Promise<ManagementTokenRecord | undefined> {
    return this.#one(`SELECT ${TOKEN_COLUMNS} FROM management_tokens WHERE id = ?`, id);
  }

  async findManagementTokenByHash(hash: string): Promise<ManagementTokenRecord | undefined> {
    return this.#one(`SELECT ${TOKEN_COLUMNS} FROM management_tokens WHERE token_hash = ?`, hash);
  }

  async listManagementTokens(accountId: string | undefined): Promise<ManagementTokenRecord[]> {
    const rows =
      accountId === undefined
        ? this.#stmt(`SELECT ${TOKEN_COLUMNS} FROM management_tokens ORDER BY created_at DESC, id`).all()
        : this.#stmt(
            `SELECT ${TOKEN_COLUMNS} FROM management_tokens WHERE account_id = ? ORDER BY created_at DESC, id`,
          ).all(accountId);
    return (rows as unknown as TokenRow[]).map(toTokenRecord);
  }

  async revokeManagementToken(id: string, now: number): Promise<boolean> {
    const sql = 'UPDATE management_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL';
    return Number(this.#stmt(sql).run(now, id).changes) === 1;
  }

  async touchManagementToken(id: string, now: number, resolutionMs: number): Promise<void> {
    this.#stmt(
      'UPDATE management_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)',
    ).run(now, id, now - resolutionMs);
  }

  #one(sql: string, param: string): ManagementTokenRecord | undefined {
    const row = this.#stmt(sql).get(param) as TokenRow | undefined;
    return row === undefined ? undefined : toTokenRecord(row);
  }

  #stmt(sql: string): StatementSync {
    return this.#statements.get(sql);
  }
}
