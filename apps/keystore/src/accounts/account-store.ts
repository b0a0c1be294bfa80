import type { ManagementTokenStore } from '../tokens/token-store.ts';

/** A dashboard user. Times are epoch milliseconds. */
export interface UserRecord {
  id: string;
  accountId: string;
  email: string;
  passwordHash: string;
  createdAt: number;
}

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
  | 'logout'
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
 * Users, sessions, the audit log and usage reads. Lives beside the key store
 * in the same database, so every replica sees the same sessions; `now` is
 * always passed in.
 */
export interface AccountStore extends ManagementTokenStore {
  userCount(): Promise<number>;
  /** Undefined when the email is taken. */
  createUser(user: Omit<UserRecord, 'createdAt'>, now: number): Promise<UserRecord | undefined>;
  findUserByEmail(email: string): Promise<UserRecord | undefined>;
  /** Rewrites a user's hash only while it is still `from` (a rehash never overwrites a newer one); true when it did. */
  replacePasswordHash(userId: string, from: string, to: string): Promise<boolean>;

  createSession(session: SessionRecord): Promise<void>;
  findSession(idHash: string): Promise<SessionWithUser | undefined>;
  touchSession(idHash: string, now: number): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  deleteExpiredSessions(now: number): Promise<number>;

  appendAudit(entry: NewAuditEntry): Promise<void>;
  /** Newest first, at most `limit`. */
  listAudit(filter: AuditFilter): Promise<AuditEntry[]>;

  /** Hourly rows for these keys with hour >= `since`. */
  usageSince(keyIds: readonly string[], since: number): Promise<HourlyUsage[]>;
}
