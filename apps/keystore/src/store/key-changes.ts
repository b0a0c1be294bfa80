import { POLICY_FIELDS, type StoredKey } from '../keys/key-record.ts';
import type { KeyPatch, NewKey, Successor } from './key-store.ts';

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
