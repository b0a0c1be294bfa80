import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type {
  AccountStore,
  AuditAction,
  AuditEntry,
  AuditFilter,
  HourlyUsage,
  NewAuditEntry,
  SessionRecord,
  SessionWithUser,
  UserRecord,
} from '../../accounts/account-store.ts';
import { auditQuery } from '../audit-query.ts';
import { SqliteTokenStore } from './sqlite-token-store.ts';
import type { ManagementTokenRecord } from '../../tokens/management-token.ts';

interface UserRow {
  id: string;
  account_id: string;
  email: string;
  password_hash: string;
  created_at: number;
}

const USER_COLUMNS = 'u.id, u.account_id, u.email, u.password_hash, u.created_at';

/**
 * The account store over the keystore's SQLite connection (opened and
 * migrated by SqliteKeyStore; `:memory:` there makes this the in-memory
 * adapter too). Every statement here is a single write, so none needs an
 * explicit transaction.
 */
export class SqliteAccountStore implements AccountStore {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  constructor(options: { db: DatabaseSync }) {
    this.#db = options.db;
  }

  async userCount(): Promise<number> {
    return (this.#stmt('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  async createUser(user: Omit<UserRecord, 'createdAt'>, now: number): Promise<UserRecord | undefined> {
    const { changes } = this.#stmt(
      'INSERT OR IGNORE INTO users (id, account_id, email, password_hash, created_at) VALUES (?, ?, ?, ?, ?)',
    ).run(user.id, user.accountId, user.email, user.passwordHash, now);
    return changes === 0 ? undefined : { ...user, createdAt: now };
  }

  async findUserByEmail(email: string): Promise<UserRecord | undefined> {
    const row = this.#stmt(`SELECT ${USER_COLUMNS} FROM users u WHERE u.email = ?`).get(email) as UserRow | undefined;
    return row === undefined ? undefined : toUser(row);
  }

  async replacePasswordHash(userId: string, from: string, to: string): Promise<boolean> {
    const sql = 'UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?';
    return Number(this.#stmt(sql).run(to, userId, from).changes) === 1;
  }

  async createSession(s: SessionRecord): Promise<void> {
    this.#stmt(
      'INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(s.idHash, s.userId, s.csrfToken, s.createdAt, s.lastSeenAt, s.expiresAt);
  }

  async findSession(idHash: string): Promise<SessionWithUser | undefined> {
    const row = this.#stmt(
      `SELECT s.id_hash, s.user_id, s.csrf_token, s.created_at AS s_created_at, s.last_seen_at, s.expires_at, ${USER_COLUMNS}
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`,
    ).get(idHash) as (UserRow & SessionRow) | undefined;
    if (row === undefined) return undefined;
    return {
      idHash: row.id_hash,
      userId: row.user_id,
      csrfToken: row.csrf_token,
      createdAt: row.s_created_at,
      lastSeenAt: row.last_seen_at,
      expiresAt: row.expires_at,
      user: toUser(row),
    };
  }

  async touchSession(idHash: string, now: number): Promise<void> {
    this.#stmt('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?').run(now, idHash);
  }

  async deleteSession(idHash: string): Promise<void> {
    this.#stmt('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    return Number(this.#stmt('DELETE FROM sessions WHERE expires_at <= ?').run(now).changes);
  }

  async appendAudit(e: NewAuditEntry): Promise<void> {
    this.#stmt('INSERT INTO audit_log (account_id, actor, action, target, address, at) VALUES (?, ?, ?, ?, ?, ?)').run(
      e.accountId,
      e.actor,
      e.action,
      e.target,
      e.address,
      e.at,
    );
  }

  async listAudit(filter: AuditFilter): Promise<AuditEntry[]> {
    const query = auditQuery(filter, () => '?');
    const read = this.#stmt(query.sql).all(...query.params) as unknown as AuditRow[];
    const rows = query.reversed ? read.reverse() : read;
    return rows.map((row) => ({
      seq: row.seq,
      accountId: row.account_id,
      actor: row.actor,
      action: row.action as AuditAction,
      target: row.target,
      address: row.address,
      at: row.at,
    }));
  }

  async usageSince(keyIds: readonly string[], since: number): Promise<HourlyUsage[]> {
    if (keyIds.length === 0) return [];
    // json_each keeps this one cached statement whatever the number of keys.
    const rows = this.#stmt(
      `SELECT key_id, hour, requests, rate_limited, admitted FROM key_usage
       WHERE key_id IN (SELECT value FROM json_each(?)) AND hour >= ? ORDER BY hour`,
    ).all(JSON.stringify(keyIds), since) as unknown as UsageRow[];
    return rows.map((r) => ({
      keyId: r.key_id,
      hour: r.hour,
      requests: r.requests,
      rateLimited: r.rate_limited,
      admitted: r.admitted,
    }));
  }

  // Management tokens (issue 23) live in their own adapter; these only forward to it.
  get #tokens(): SqliteTokenStore {
    this.#tokenStore ??= new SqliteTokenStore({ db: this.#db });
    return this.#tokenStore;
  }

  #tokenStore: SqliteTokenStore | undefined;

  createManagementToken(record: ManagementTokenRecord): Promise<void> {
    return this.#tokens.createManagementToken(record);
  }

  getManagementToken(id: string): Promise<ManagementTokenRecord | undefined> {
    return this.#tokens.getManagementToken(id);
  }

  findManagementTokenByHash(hash: string): Promise<ManagementTokenRecord | undefined> {
    return this.#tokens.findManagementTokenByHash(hash);
  }

  listManagementTokens(accountId: string | undefined): Promise<ManagementTokenRecord[]> {
    return this.#tokens.listManagementTokens(accountId);
  }

  revokeManagementToken(id: string, now: number): Promise<boolean> {
    return this.#tokens.revokeManagementToken(id, now);
  }

  touchManagementToken(id: string, now: number, resolutionMs: number): Promise<void> {
    return this.#tokens.touchManagementToken(id, now, resolutionMs);
  }

  #stmt(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

interface SessionRow {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  s_created_at: number;
  last_seen_at: number;
  expires_at: number;
}

interface AuditRow {
  seq: number;
  account_id: string | null;
  actor: string;
  action: string;
  target: string | null;
  address: string | null;
  at: number;
}

interface UsageRow {
  key_id: string;
  hour: number;
  requests: number;
  rate_limited: number;
  admitted: number;
}

function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    email: row.email,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
  };
}
