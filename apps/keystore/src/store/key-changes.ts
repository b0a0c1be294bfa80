import { POLICY_FIELDS, type KeyLeak, type StoredKey } from '../keys/key-record.ts';
import type { KeyEventType, KeyPatch, LeakAction, NewKey, Successor } from './key-store.ts';

/** The key as `patch` leaves it: a field left out keeps its value, null clears it. */
export function patched(current: StoredKey, patch: KeyPatch): StoredKey {
  const next: StoredKey = { ...current };
  for (const field of ['name', 'rateLimit', ...POLICY_FIELDS] as const) {
    if (patch[field] !== undefined) Object.assign(next, { [field]: patch[field] });
  }
  return next;
}

/** A rolled key is the old one under a new secret: same account, settings, policies and expiry. */
export function successorOf(old: StoredKey, successor: Successor): NewKey {
  return {
    ...successor,
    accountId: old.accountId,
    environment: old.environment,
    name: old.name,
    rateLimit: old.rateLimit,
    expiresAt: old.expiresAt,
    rolledFrom: old.id,
    ownerId: old.ownerId,
    permissions: old.permissions,
    allowedIps: old.allowedIps,
    rateLimits: old.rateLimits,
    quota: old.quota,
    metadata: old.metadata,
  };
}

/**
 * A key's first leak report: the key with `leak` set and the action applied,
 * and the event proxies need (none when nothing they cache changed). A
 * revoked key stays as it is; `expire` never lengthens a key's life, as a
 * roll's old key.
 */
export function leaked(
  current: StoredKey,
  leak: KeyLeak,
  action: LeakAction,
  now: number,
): { key: StoredKey; event: Extract<KeyEventType, 'revoked' | 'updated'> | undefined } {
  const key: StoredKey = { ...current, leak };
  if (current.revokedAt !== null || action.kind === 'notify') return { key, event: undefined };
  if (action.kind === 'revoke') return { key: { ...key, revokedAt: now }, event: 'revoked' };
  const expiresAt = current.expiresAt === null ? action.endsAt : Math.min(current.expiresAt, action.endsAt);
  if (expiresAt === current.expiresAt) return { key, event: undefined };
  return { key: { ...key, expiresAt }, event: 'updated' };
}

/**
 * The old key of a roll as it ends: revoked now when its grace is over
 * already, else expiring at the grace's end — never later than it would have
 * (a roll never lengthens a key's life). Refused for a revoked key, and for
 * an expired one (its successor would inherit an expiry already past).
 */
export function endedByRoll(
  old: StoredKey,
  oldEndsAt: number,
  now: number,
): { ok: true; ended: StoredKey } | { ok: false; reason: 'revoked' | 'expired' } {
  if (old.revokedAt !== null) return { ok: false, reason: 'revoked' };
  if (old.expiresAt !== null && old.expiresAt <= now) return { ok: false, reason: 'expired' };
  if (oldEndsAt <= now) return { ok: true, ended: { ...old, revokedAt: now } };
  const expiresAt = old.expiresAt === null ? oldEndsAt : Math.min(old.expiresAt, oldEndsAt);
  return { ok: true, ended: { ...old, expiresAt } };
}
