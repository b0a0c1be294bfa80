import type pg from 'pg';
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
import { PostgresTokenStore } from './postgres-token-store.ts';
import type { ManagementTokenRecord } from '../../tokens/management-token.ts';
import { translated } from './postgres-errors.ts';

interface UserRow {
  id: string;
  account_id: string;
  email: string;
  password_hash: string;
  created_at: number;
}

const USER_COLUMNS = 'u.id, u.account_id, u.email, u.password_hash, u.created_at';

/** Users, sessions, the audit log and usage reads in PostgreSQL: a session made on one replica is valid on all. */
export class PostgresAccountStore implements AccountStore {
  readonly #pool: pg.Pool;

  constructor(options: { pool: pg.Pool }) {
    this.#pool = options.pool;
  }

  userCount(): Promise<number> {
    return this.#query<{ n: number }>('SELECT count(*) AS n FROM users').then((rows) => rows[0]?.n ?? 0);
  }

  async createUser(user: Omit<UserRecord, 'createdAt'>, now: number): Promise<UserRecord | undefined> {
    const rows = await this.#query(
      `INSERT INTO users (id, account_id, email, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (email) DO NOTHING RETURNING id`,
      [user.id, user.accountId, user.email, user.passwordHash, now],
    );
    return rows.length === 0 ? undefined : { ...user, createdAt: now };
  }

  async findUserByEmail(email: string): Promise<UserRecord | undefined> {
    const [row] = await this.#query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.email = $1`, [email]);
    return row === undefined ? undefined : toUser(row);
  }

  async replacePasswordHash(userId: string, from: string, to: string): Promise<boolean> {
    const sql = 'UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3 RETURNING id';
    return (await this.#query(sql, [to, userId, from])).length === 1;
  }

  async createSession(s: SessionRecord): Promise<void> {
    await this.#query(
      'INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [s.idHash, s.userId, s.csrfToken, s.createdAt, s.lastSeenAt, s.expiresAt],
    );
  }

  async findSession(idHash: string): Promise<SessionWithUser | undefined> {
    const [row] = await this.#query<UserRow & SessionRow>(
      `SELECT s.id_hash, s.user_id, s.csrf_token, s.created_at AS s_created_at, s.last_seen_at, s.expires_at, ${USER_COLUMNS}
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1`,
      [idHash],
    );
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
    // Never backwards: two replicas touching at once keep the later time.
    await this.#query('UPDATE sessions SET last_seen_at = greatest(last_seen_at, $1) WHERE id_hash = $2', [
      now,
      idHash,
    ]);
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.#query('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
  }

  deleteExpiredSessions(now: number): Promise<number> {
    return translated(
      async () => (await this.#pool.query('DELETE FROM sessions WHERE expires_at <= $1', [now])).rowCount ?? 0,
    );
  }

  async appendAudit(e: NewAuditEntry): Promise<void> {
    await this.#query(
      'INSERT INTO audit_log (account_id, actor, action, target, address, at) VALUES ($1, $2, $3, $4, $5, $6)',
      [e.accountId, e.actor, e.action, e.target, e.address, e.at],
    );
  }

  async listAudit(filter: AuditFilter): Promise<AuditEntry[]> {
    const query = auditQuery(filter, (n) => `$${n}`);
    const read = await this.#query<AuditRow>(query.sql, query.params);
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
    const rows = await this.#query<UsageRow>(
      `SELECT key_id, hour, requests, rate_limited, admitted FROM key_usage WHERE key_id = ANY($1::text[]) AND hour >= $2 ORDER BY hour`,
      [keyIds, since],
    );
    return rows.map((r) => ({
      keyId: r.key_id,
      hour: r.hour,
      requests: r.requests,
      rateLimited: r.rate_limited,
      admitted: r.admitted,
    }));
  }

  // Management tokens (issue 23) live in their own adapter; these only forward to it.
  get #tokens(): PostgresTokenStore {
    this.#tokenStore ??= new PostgresTokenStore({ pool: this.#pool });
    return this.#tokenStore;
  }

  #tokenStore: PostgresTokenStore | undefined;

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

  #query<Row extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<Row[]> {
    return translated(async () => (await this.#pool.query<Row>(sql, params)).rows);
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
