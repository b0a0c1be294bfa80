import type pg from 'pg';
import type {
  AcceptResult,
  AccountStore,
  AuditEntry,
  AuditFilter,
  HourlyUsage,
  InvitationRecord,
  MemberChange,
  MemberChangeResult,
  NewAuditEntry,
  NewInvitation,
  NewUser,
  SessionRecord,
  SessionWithUser,
  UserRecord,
} from '../../accounts/account-store.ts';
import { auditQuery } from '../audit-query.ts';
import type { Role } from '../../accounts/roles.ts';
import {
  INVITATION_COLUMNS,
  keepsAnOwner,
  SESSION_COLUMNS,
  toAudit,
  toInvitation,
  toSession,
  toUsage,
  toUser,
  unusable,
  USER_COLUMNS,
  type AuditRow,
  type InvitationRow,
  type SessionRow,
  type UsageRow,
  type UserRow,
} from '../account-rows.ts';
import { PostgresTokenStore } from './postgres-token-store.ts';
import type { ManagementTokenRecord } from '../../tokens/management-token.ts';
import { translated } from './postgres-errors.ts';
import { inTransaction, type Queryable } from './postgres-pool.ts';

/** Members, invitations, sessions, the audit log and usage reads in PostgreSQL: a session made on one replica is valid on all. */
export class PostgresAccountStore implements AccountStore {
  readonly #pool: pg.Pool;

  constructor(options: { pool: pg.Pool }) {
    this.#pool = options.pool;
  }

  userCount(): Promise<number> {
    return this.#query<{ n: number }>('SELECT count(*) AS n FROM users').then((rows) => rows[0]?.n ?? 0);
  }

  async createUser(user: NewUser, now: number): Promise<UserRecord | undefined> {
    const rows = await this.#query(
      `INSERT INTO users (id, account_id, email, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (email) DO NOTHING RETURNING id`,
      [user.id, user.accountId, user.email, user.passwordHash, user.role, now],
    );
    return rows.length === 0 ? undefined : { ...user, createdAt: now, lastLoginAt: null };
  }

  findUserByEmail(email: string): Promise<UserRecord | undefined> {
    return this.#user('u.email = $1', email);
  }

  findUser(userId: string): Promise<UserRecord | undefined> {
    return this.#user('u.id = $1', userId);
  }

  async listMembers(accountId: string): Promise<UserRecord[]> {
    const sql = `SELECT ${USER_COLUMNS} FROM users u WHERE u.account_id = $1 ORDER BY u.created_at, u.email`;
    return (await this.#query<UserRow>(sql, [accountId])).map(toUser);
  }

  async recordLogin(userId: string, now: number): Promise<void> {
    await this.#query('UPDATE users SET last_login_at = greatest(coalesce(last_login_at, 0), $1) WHERE id = $2', [
      now,
      userId,
    ]);
  }

  async replacePasswordHash(userId: string, from: string, to: string): Promise<boolean> {
    const sql = 'UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3 RETURNING id';
    return (await this.#query(sql, [to, userId, from])).length === 1;
  }

  async setPassword(userId: string, passwordHash: string, keepSession: string | undefined): Promise<void> {
    await inTransaction(this.#pool, async (db) => {
      await db.query('UPDATE users SET password_hash = $1 WHERE id = $2', [passwordHash, userId]);
      await db.query('DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2', [userId, keepSession ?? '']);
    });
  }

  changeRole(change: MemberChange, to: Role): Promise<MemberChangeResult> {
    return inTransaction(this.#pool, async (db): Promise<MemberChangeResult> => {
      const refused = await refusal(db, change, to);
      if (refused !== undefined) return refused;
      await db.query('UPDATE users SET role = $1 WHERE id = $2', [to, change.userId]);
      return { ok: true };
    });
  }

  removeMember(change: MemberChange): Promise<MemberChangeResult> {
    return inTransaction(this.#pool, async (db): Promise<MemberChangeResult> => {
      const refused = await refusal(db, change, undefined);
      if (refused !== undefined) return refused;
      // Sessions go with the user (ON DELETE CASCADE): the member is logged out at once.
      await db.query('DELETE FROM users WHERE id = $1', [change.userId]);
      return { ok: true };
    });
  }

  async createInvitation(i: NewInvitation): Promise<void> {
    await this.#query(
      `INSERT INTO invitations (id, account_id, email, role, token_hash, invited_by, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [i.id, i.accountId, i.email, i.role, i.tokenHash, i.invitedBy, i.createdAt, i.expiresAt],
    );
  }

  async pendingInvitations(accountId: string, now: number): Promise<InvitationRecord[]> {
    const rows = await this.#query<InvitationRow>(
      `SELECT ${INVITATION_COLUMNS} FROM invitations WHERE account_id = $1 AND accepted_at IS NULL
       AND withdrawn_at IS NULL AND expires_at > $2 ORDER BY created_at DESC, id`,
      [accountId, now],
    );
    return rows.map(toInvitation);
  }

  async findInvitation(tokenHash: string): Promise<InvitationRecord | undefined> {
    const sql = `SELECT ${INVITATION_COLUMNS} FROM invitations WHERE token_hash = $1`;
    const [row] = await this.#query<InvitationRow>(sql, [tokenHash]);
    return row === undefined ? undefined : toInvitation(row);
  }

  async withdrawInvitation(accountId: string, id: string, now: number): Promise<InvitationRecord | undefined> {
    const [row] = await this.#query<InvitationRow>(
      `UPDATE invitations SET withdrawn_at = $1 WHERE id = $2 AND account_id = $3 AND accepted_at IS NULL
       AND withdrawn_at IS NULL AND expires_at > $1 RETURNING ${INVITATION_COLUMNS}`,
      [now, id, accountId],
    );
    return row === undefined ? undefined : toInvitation(row);
  }

  async acceptInvitation(
    tokenHash: string,
    user: { id: string; passwordHash: string },
    now: number,
  ): Promise<AcceptResult> {
    try {
      return await inTransaction(this.#pool, async (db): Promise<AcceptResult> => {
        // FOR UPDATE: a second use of the token on another replica waits here, then finds it used.
        const { rows } = await db.query<InvitationRow>(
          `SELECT ${INVITATION_COLUMNS} FROM invitations WHERE token_hash = $1 FOR UPDATE`,
          [tokenHash],
        );
        if (rows[0] === undefined) return { ok: false, reason: 'unknown' };
        const invitation = toInvitation(rows[0]);
        const refused = unusable(invitation, now);
        if (refused !== undefined) return refused;
        const inserted = await db.query(
          `INSERT INTO users (id, account_id, email, password_hash, role, created_at, last_login_at)
           VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (email) DO NOTHING RETURNING id`,
          [user.id, invitation.accountId, invitation.email, user.passwordHash, invitation.role, now],
        );
        if (inserted.rows.length === 0) throw new EmailTaken();
        await db.query('UPDATE invitations SET accepted_at = $1 WHERE id = $2', [now, invitation.id]);
        const { accountId, email, role } = invitation;
        return { ok: true, user: { ...user, accountId, email, role, createdAt: now, lastLoginAt: now } };
      });
    } catch (error) {
      if (error instanceof EmailTaken) return { ok: false, reason: 'email_taken' };
      throw error;
    }
  }

  async createSession(s: SessionRecord): Promise<void> {
    await this.#query(
      'INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [s.idHash, s.userId, s.csrfToken, s.createdAt, s.lastSeenAt, s.expiresAt],
    );
  }

  async findSession(idHash: string): Promise<SessionWithUser | undefined> {
    const [row] = await this.#query<UserRow & SessionRow>(
      `SELECT ${SESSION_COLUMNS}, ${USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1`,
      [idHash],
    );
    return row === undefined ? undefined : { ...toSession(row), user: toUser(row) };
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

  async listSessions(userId: string): Promise<SessionRecord[]> {
    const sql = `SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.user_id = $1 ORDER BY s.created_at DESC, s.id_hash`;
    return (await this.#query<SessionRow>(sql, [userId])).map(toSession);
  }

  deleteSessionsOf(userId: string, keep: string | undefined): Promise<number> {
    const sql = 'DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2';
    return translated(async () => (await this.#pool.query(sql, [userId, keep ?? ''])).rowCount ?? 0);
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
    return rows.map(toAudit);
  }

  async usageSince(keyIds: readonly string[], since: number): Promise<HourlyUsage[]> {
    if (keyIds.length === 0) return [];
    const rows = await this.#query<UsageRow>(
      `SELECT key_id, hour, requests, rate_limited, admitted FROM key_usage WHERE key_id = ANY($1::text[]) AND hour >= $2 ORDER BY hour`,
      [keyIds, since],
    );
    return rows.map(toUsage);
  }

  async #user(where: string, value: string): Promise<UserRecord | undefined> {
    const [row] = await this.#query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE ${where}`, [value]);
    return row === undefined ? undefined : toUser(row);
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

/** Rolls back the user insert's transaction; answered as `email_taken`. */
class EmailTaken extends Error {}

/**
 * Inside a transaction: why `change` may not happen (undefined: it may). The
 * account's row is locked first, so two owners stepping down at once on two
 * replicas are decided one after the other, and one of them stays.
 */
async function refusal(
  db: Queryable,
  change: MemberChange,
  to: Role | undefined,
): Promise<MemberChangeResult | undefined> {
  await db.query('SELECT id FROM accounts WHERE id = $1 FOR UPDATE', [change.accountId]);
  const { rows } = await db.query<{ role: string }>('SELECT role FROM users WHERE id = $1 AND account_id = $2', [
    change.userId,
    change.accountId,
  ]);
  if (rows[0] === undefined || rows[0].role !== change.from) return { ok: false, reason: 'not_found' };
  const owners = await db.query<{ n: number }>(
    "SELECT count(*) AS n FROM users WHERE account_id = $1 AND role = 'owner'",
    [change.accountId],
  );
  return keepsAnOwner(change.from, to, owners.rows[0]?.n ?? 0) ? undefined : { ok: false, reason: 'last_owner' };
}
