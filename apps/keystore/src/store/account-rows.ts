import type {
  AcceptResult,
  AuditAction,
  AuditEntry,
  HourlyUsage,
  InvitationRecord,
  SessionRecord,
  UserRecord,
} from '../accounts/account-store.ts';
import { isRole, type Role } from '../accounts/roles.ts';

/** The account tables as both engines return them, and their one translation into records. */
export interface UserRow {
  id: string;
  account_id: string;
  email: string;
  password_hash: string;
  role: string;
  created_at: number;
  last_login_at: number | null;
}

export const USER_COLUMNS = 'u.id, u.account_id, u.email, u.password_hash, u.role, u.created_at, u.last_login_at';

export interface SessionRow {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  s_created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export const SESSION_COLUMNS =
  's.id_hash, s.user_id, s.csrf_token, s.created_at AS s_created_at, s.last_seen_at, s.expires_at';

export interface InvitationRow {
  id: string;
  account_id: string;
  email: string;
  role: string;
  invited_by: string;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
  withdrawn_at: number | null;
}

export const INVITATION_COLUMNS =
  'id, account_id, email, role, invited_by, created_at, expires_at, accepted_at, withdrawn_at';

export interface AuditRow {
  seq: number;
  account_id: string | null;
  actor: string;
  action: string;
  target: string | null;
  address: string | null;
  at: number;
}

export const AUDIT_COLUMNS = 'seq, account_id, actor, action, target, address, at';

export interface UsageRow {
  key_id: string;
  hour: number;
  requests: number;
  rate_limited: number;
  admitted: number;
}

/** A role column holds one of ROLES (a CHECK says so); anything else is read as the least trusted. */
function toRole(value: string): Role {
  return isRole(value) ? value : 'viewer';
}

export function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    email: row.email,
    passwordHash: row.password_hash,
    role: toRole(row.role),
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
  };
}

export function toSession(row: SessionRow): SessionRecord {
  return {
    idHash: row.id_hash,
    userId: row.user_id,
    csrfToken: row.csrf_token,
    createdAt: row.s_created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
  };
}

export function toInvitation(row: InvitationRow): InvitationRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    email: row.email,
    role: toRole(row.role),
    invitedBy: row.invited_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    acceptedAt: row.accepted_at,
    withdrawnAt: row.withdrawn_at,
  };
}

export function toAudit(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    accountId: row.account_id,
    actor: row.actor,
    action: row.action as AuditAction,
    target: row.target,
    address: row.address,
    at: row.at,
  };
}

export function toUsage(row: UsageRow): HourlyUsage {
  return {
    keyId: row.key_id,
    hour: row.hour,
    requests: row.requests,
    rateLimited: row.rate_limited,
    admitted: row.admitted,
  };
}

/** Why an invitation that exists cannot be used at `now` (undefined: it can). Both engines decide it here. */
export function unusable(invitation: InvitationRecord, now: number): Exclude<AcceptResult, { ok: true }> | undefined {
  if (invitation.acceptedAt !== null) return { ok: false, reason: 'used' };
  if (invitation.withdrawnAt !== null) return { ok: false, reason: 'withdrawn' };
  if (now >= invitation.expiresAt) return { ok: false, reason: 'expired' };
  return undefined;
}

/**
 * Whether a member whose role is `from` may become `to` (undefined: remove it)
 * with `owners` owners in the account: the last owner stays.
 */
export function keepsAnOwner(from: Role, to: Role | undefined, owners: number): boolean {
  return from !== 'owner' || to === 'owner' || owners > 1;
}
