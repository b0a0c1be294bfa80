import type { ManagementTokenStore } from '../tokens/token-store.ts';
import type { Role } from './roles.ts';

/** A member of an account (a dashboard user). Times are epoch milliseconds. */
export interface UserRecord {
  id: string;
  accountId: string;
  email: string;
  /** Empty: the member has no password (one a single sign-on login created); it never verifies. */
  passwordHash: string;
  role: Role;
  createdAt: number;
  lastLoginAt: number | null;
}

export type NewUser = Omit<UserRecord, 'createdAt' | 'lastLoginAt'>;

/** An invitation to join an account. Only the SHA-256 of its token is stored; the link is shown once. */
export interface InvitationRecord {
  id: string;
  accountId: string;
  email: string;
  role: Role;
  /** The inviter's email, as the audit log names people. */
  invitedBy: string;
  createdAt: number;
  expiresAt: number;
  acceptedAt: number | null;
  withdrawnAt: number | null;
}

export interface NewInvitation extends Omit<InvitationRecord, 'acceptedAt' | 'withdrawnAt'> {
  tokenHash: string;
}

/** A role change or removal, applied only while the member still has the role the caller read. */
export interface MemberChange {
  accountId: string;
  userId: string;
  /** The role the decision was made on; a member whose role changed meanwhile is `not_found`. */
  from: Role;
}

export type MemberChangeResult =
  | { ok: true }
  /** No such member in the account, or its role is no longer `from`. */
  | { ok: false; reason: 'not_found' }
  /** It would leave the account without an owner. */
  | { ok: false; reason: 'last_owner' };

export type AcceptResult =
  { ok: true; user: UserRecord } | { ok: false; reason: 'unknown' | 'used' | 'withdrawn' | 'expired' | 'email_taken' };

export interface SessionRecord {
  idHash: string;
  userId: string;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export interface SessionWithUser extends SessionRecord {
  user: UserRecord;
}

export type AuditAction =
  | 'key.created'
  | 'key.updated'
  | 'key.revoked'
  | 'key.rolled'
  | 'key.leaked'
  | 'login'
  | 'login.failed'
  | 'login.locked'
  | 'login.sso'
  | 'login.sso.failed'
  | 'logout'
  | 'invitation.created'
  | 'invitation.withdrawn'
  | 'invitation.accepted'
  | 'member.role_changed'
  | 'member.removed'
  | 'password.changed'
  | 'sessions.ended'
  | 'webhook.created'
  | 'webhook.updated'
  | 'webhook.deleted'
  | 'webhook.secret_rotated'
  | 'webhook.delivery_retried'
  /** By the dispatcher (actor `system`): the endpoint failed for days. */
  | 'webhook.disabled'
  | 'token.created'
  | 'token.revoked';

export interface NewAuditEntry {
  /** Null when the event belongs to no account (a failed login for an unknown email). */
  accountId: string | null;
  /**
   * A user's email, `operator` (admin token), `token:<name>` (a management
   * token), `cli`, or `github` (a secret-scanning report).
   */
  actor: string;
  action: AuditAction;
  /** A key id, a token id, or what the action was about; never a key or a token. */
  target: string | null;
  address: string | null;
  at: number;
}

export interface AuditEntry extends NewAuditEntry {
  seq: number;
}

/** Which audit entries to read; every field left out matches everything. Times are epoch ms. */
export interface AuditFilter {
  /** Undefined: every account (the operator's view). */
  accountId?: string;
  actor?: string;
  /** Any of these; an empty list matches nothing. */
  actions?: readonly string[];
  target?: string;
  /** Inclusive. */
  since?: number;
  /** Exclusive. */
  until?: number;
  /** Only entries older than this seq (paging towards older). */
  beforeSeq?: number;
  /** Only entries newer than this seq (paging towards newer): the `limit` nearest to it, still newest first. */
  afterSeq?: number;
  limit: number;
}

export interface HourlyUsage {
  keyId: string;
  /** Start of the hour, epoch ms. */
  hour: number;
  requests: number;
  rateLimited: number;
  /** Let through to the upstream (what quotas count). */
  admitted: number;
}

/**
 * Members, invitations, sessions, the audit log and usage reads. Lives beside the key store
 * in the same database, so every replica sees the same sessions; `now` is
 * always passed in.
 */
export interface AccountStore extends ManagementTokenStore {
  userCount(): Promise<number>;
  /** Undefined when the email is taken. */
  createUser(user: NewUser, now: number): Promise<UserRecord | undefined>;
  findUserByEmail(email: string): Promise<UserRecord | undefined>;
  findUser(userId: string): Promise<UserRecord | undefined>;
  /** The account's members, oldest first. */
  listMembers(accountId: string): Promise<UserRecord[]>;
  recordLogin(userId: string, now: number): Promise<void>;
  /** Rewrites a user's hash only while it is still `from` (a rehash never overwrites a newer one); true when it did. */
  replacePasswordHash(userId: string, from: string, to: string): Promise<boolean>;
  /** A new password, in one transaction with the end of every session of the user but `keepSession`. */
  setPassword(userId: string, passwordHash: string, keepSession: string | undefined): Promise<void>;
  /** Refused when it would leave the account without an owner, also when two owners step down at once. */
  changeRole(change: MemberChange, to: Role): Promise<MemberChangeResult>;
  /** Deletes the member and, with it, every session it has: it is logged out at once. */
  removeMember(change: MemberChange): Promise<MemberChangeResult>;

  createInvitation(invitation: NewInvitation): Promise<void>;
  /** Neither used, withdrawn nor expired at `now`; newest first. */
  pendingInvitations(accountId: string, now: number): Promise<InvitationRecord[]>;
  findInvitation(tokenHash: string): Promise<InvitationRecord | undefined>;
  /** Withdraws a pending invitation of the account; undefined when there is none by that id. */
  withdrawInvitation(accountId: string, id: string, now: number): Promise<InvitationRecord | undefined>;
  /** Uses the invitation and creates its member in one transaction: a token works once, also on two replicas at once. */
  acceptInvitation(tokenHash: string, user: { id: string; passwordHash: string }, now: number): Promise<AcceptResult>;

  createSession(session: SessionRecord): Promise<void>;
  findSession(idHash: string): Promise<SessionWithUser | undefined>;
  touchSession(idHash: string, now: number): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  deleteExpiredSessions(now: number): Promise<number>;
  /** A user's sessions, newest first (expired ones included until the sweep deletes them). */
  listSessions(userId: string): Promise<SessionRecord[]>;
  /** Ends every session of a user but `keep`; the number ended. */
  deleteSessionsOf(userId: string, keep: string | undefined): Promise<number>;

  appendAudit(entry: NewAuditEntry): Promise<void>;
  /** Newest first, at most `limit`. */
  listAudit(filter: AuditFilter): Promise<AuditEntry[]>;

  /** Hourly rows for these keys with hour >= `since`. */
  usageSince(keyIds: readonly string[], since: number): Promise<HourlyUsage[]>;
}
