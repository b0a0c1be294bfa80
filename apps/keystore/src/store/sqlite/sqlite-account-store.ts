import type { DatabaseSync, StatementSync } from 'node:sqlite';
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
import { SqliteTokenStore } from './sqlite-token-store.ts';
import type { ManagementTokenRecord } from '../../tokens/management-token.ts';
import { immediateTransaction, StatementCache } from './sqlite-connection.ts';

/**
 * The account store over the keystore's SQLite connection (opened and
 * migrated by SqliteKeyStore; `:memory:` there makes this the in-memory
 * adapter too). A change of more than one row runs in an IMMEDIATE
 * transaction, so the operator CLI writing the same file cannot interleave.
 */
export class SqliteAccountStore implements AccountStore {
  readonly #db: DatabaseSync;
  readonly #statements: StatementCache;

  constructor(options: { db: DatabaseSync }) {
    this.#db = options.db;
    this.#statements = new StatementCache(this.#db);
  }

  async userCount(): Promise<number> {
    return (this.#stmt('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  async createUser(user: NewUser, now: number): Promise<UserRecord | undefined> {
    const { changes } = this.#stmt(
      'INSERT OR IGNORE INTO users (id, account_id, email, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(user.id, user.accountId, user.email, user.passwordHash, user.role, now);
    return changes === 0 ? undefined : { ...user, createdAt: now, lastLoginAt: null };
  }

  async findUserByEmail(email: string): Promise<UserRecord | undefined> {
    return this.#user('u.email = ?', email);
  }

  async findUser(userId: string): Promise<UserRecord | undefined> {
    return this.#user('u.id = ?', userId);
  }

  async listMembers(accountId: string): Promise<UserRecord[]> {
    const sql = `SELECT ${USER_COLUMNS} FROM users u WHERE u.account_id = ? ORDER BY u.created_at, u.email`;
    return (this.#stmt(sql).all(accountId) as unknown as UserRow[]).map(toUser);
  }

  async recordLogin(userId: string, now: number): Promise<void> {
    this.#stmt('UPDATE users SET last_login_at = max(coalesce(last_login_at, 0), ?) WHERE id = ?').run(now, userId);
  }

  async replacePasswordHash(userId: string, from: string, to: string): Promise<boolean> {
    const sql = 'UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?';
    return Number(this.#stmt(sql).run(to, userId, from).changes) === 1;
  }

  async setPassword(userId: string, passwordHash: string, keepSession: string | undefined): Promise<void> {
    this.#transaction(() => {
      this.#stmt('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, userId);
      this.#deleteSessionsOf(userId, keepSession);
    });
  }

  async changeRole(change: MemberChange, to: Role): Promise<MemberChangeResult> {
    return this.#transaction(() => {
      const refused = this.#refusal(change, to);
      if (refused !== undefined) return refused;
      this.#stmt('UPDATE users SET role = ? WHERE id = ?').run(to, change.userId);
      return { ok: true };
    });
  }

  async removeMember(change: MemberChange): Promise<MemberChangeResult> {
    return this.#transaction(() => {
      const refused = this.#refusal(change, undefined);
      if (refused !== undefined) return refused;
      // Sessions go with the user (ON DELETE CASCADE): the member is logged out at once.
      this.#stmt('DELETE FROM users WHERE id = ?').run(change.userId);
      return { ok: true };
    });
  }

  async createInvitation(i: NewInvitation): Promise<void> {
    this.#stmt(
      `INSERT INTO invitations (id, account_id, email, role, token_hash, invited_by, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(i.id, i.accountId, i.email, i.role, i.tokenHash, i.invitedBy, i.createdAt, i.expiresAt);
  }

  async pendingInvitations(accountId: string, now: number): Promise<InvitationRecord[]> {
    const rows = this.#stmt(
      `SELECT ${INVITATION_COLUMNS} FROM invitations WHERE account_id = ? AND accepted_at IS NULL
       AND withdrawn_at IS NULL AND expires_at > ? ORDER BY created_at DESC, id`,
    ).all(accountId, now) as unknown as InvitationRow[];
    return rows.map(toInvitation);
  }

  async findInvitation(tokenHash: string): Promise<InvitationRecord | undefined> {
    const sql = `SELECT ${INVITATION_COLUMNS} FROM invitations WHERE token_hash = ?`;
    const row = this.#stmt(sql).get(tokenHash) as InvitationRow | undefined;
    return row === undefined ? undefined : toInvitation(row);
  }

  async withdrawInvitation(accountId: string, id: string, now: number): Promise<InvitationRecord | undefined> {
    const row = this.#stmt(
      `UPDATE invitations SET withdrawn_at = ? WHERE id = ? AND account_id = ? AND accepted_at IS NULL
       AND withdrawn_at IS NULL AND expires_at > ? RETURNING ${INVITATION_COLUMNS}`,
    ).get(now, id, accountId, now) as InvitationRow | undefined;
    return row === undefined ? undefined : toInvitation(row);
  }

  async acceptInvitation(
    tokenHash: string,
    user: { id: string; passwordHash: string },
    now: number,
  ): Promise<AcceptResult> {
    return this.#transaction((): AcceptResult => {
      const row = this.#stmt(`SELECT ${INVITATION_COLUMNS} FROM invitations WHERE token_hash = ?`).get(tokenHash) as
        InvitationRow | undefined;
      if (row === undefined) return { ok: false, reason: 'unknown' };
      const invitation = toInvitation(row);
      const refused = unusable(invitation, now);
      if (refused !== undefined) return refused;
      const { changes } = this.#stmt(
        `INSERT OR IGNORE INTO users (id, account_id, email, password_hash, role, created_at, last_login_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(user.id, invitation.accountId, invitation.email, user.passwordHash, invitation.role, now, now);
      if (changes === 0) return { ok: false, reason: 'email_taken' };
      this.#stmt('UPDATE invitations SET accepted_at = ? WHERE id = ?').run(now, invitation.id);
      const member: UserRecord = {
        id: user.id,
        accountId: invitation.accountId,
        email: invitation.email,
        passwordHash: user.passwordHash,
        role: invitation.role,
        createdAt: now,
        lastLoginAt: now,
      };
      return { ok: true, user: member };
    });
  }

  async createSession(s: SessionRecord): Promise<void> {
    this.#stmt(
      'INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(s.idHash, s.userId, s.csrfToken, s.createdAt, s.lastSeenAt, s.expiresAt);
  }

  async findSession(idHash: string): Promise<SessionWithUser | undefined> {
    const row = this.#stmt(
      `SELECT ${SESSION_COLUMNS}, ${USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`,
    ).get(idHash) as (UserRow & SessionRow) | undefined;
    return row === undefined ? undefined : { ...toSession(row), user: toUser(row) };
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

  async listSessions(userId: string): Promise<SessionRecord[]> {
    const sql = `SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.user_id = ? ORDER BY s.created_at DESC, s.id_hash`;
    return (this.#stmt(sql).all(userId) as unknown as SessionRow[]).map(toSession);
  }

  async deleteSessionsOf(userId: string, keep: string | undefined): Promise<number> {
    return this.#deleteSessionsOf(userId, keep);
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
    return rows.map(toAudit);
  }

  async usageSince(keyIds: readonly string[], since: number): Promise<HourlyUsage[]> {
    if (keyIds.length === 0) return [];
    // json_each keeps this one cached statement whatever the number of keys.
    const rows = this.#stmt(
      `SELECT key_id, hour, requests, rate_limited, admitted FROM key_usage
       WHERE key_id IN (SELECT value FROM json_each(?)) AND hour >= ? ORDER BY hour`,
    ).all(JSON.stringify(keyIds), since) as unknown as UsageRow[];
    return rows.map(toUsage);
  }

  #user(where: string, value: string): UserRecord | undefined {
    const row = this.#stmt(`SELECT ${USER_COLUMNS} FROM users u WHERE ${where}`).get(value) as UserRow | undefined;
    return row === undefined ? undefined : toUser(row);
  }

  #deleteSessionsOf(userId: string, keep: string | undefined): number {
    const sql = 'DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?';
    return Number(this.#stmt(sql).run(userId, keep ?? '').changes);
  }

  /** Inside a transaction: why `change` may not happen (undefined: it may). */
  #refusal(change: MemberChange, to: Role | undefined): MemberChangeResult | undefined {
    const current = this.#stmt('SELECT role FROM users WHERE id = ? AND account_id = ?').get(
      change.userId,
      change.accountId,
    ) as { role: string } | undefined;
    if (current === undefined || current.role !== change.from) return { ok: false, reason: 'not_found' };
    const { n } = this.#stmt("SELECT count(*) AS n FROM users WHERE account_id = ? AND role = 'owner'").get(
      change.accountId,
    ) as { n: number };
    return keepsAnOwner(change.from, to, n) ? undefined : { ok: false, reason: 'last_owner' };
  }

  #transaction<T>(body: () => T): T {
    return immediateTransaction(this.#db, body);
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
    return this.#statements.get(sql);
  }
}
