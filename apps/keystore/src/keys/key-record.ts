import type { Environment } from '@routemcp/api-key';
import type { RateLimit } from '@routemcp/internal-api';

export type { RateLimit };

/** A stored key. Times are epoch milliseconds. There is no field for the key itself, by design. */
export interface StoredKey {
  id: string;
  accountId: string;
  environment: Environment;
  hash: string;
  hint: string;
  name: string | null;
  rateLimit: RateLimit | null;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
  rolledFrom: string | null;
}

export type KeyStatus = 'active' | 'expiring' | 'expired' | 'revoked';
export const KEY_STATUSES: readonly KeyStatus[] = ['active', 'expiring', 'expired', 'revoked'];

export function keyStatus(key: StoredKey, now: number): KeyStatus {
  if (key.revokedAt !== null) return 'revoked';
  if (key.expiresAt === null) return 'active';
  return key.expiresAt > now ? 'expiring' : 'expired';
}

/** The management API's view: never the key, never the hash. */
export interface KeyView {
  id: string;
  environment: Environment;
  name: string | null;
  hint: string;
  accountId: string;
  rateLimit: RateLimit | null;
  createdAt: string;
  expiresAt: string | null;
  status: KeyStatus;
  revokedAt: string | null;
  lastUsedAt: string | null;
  rolledFrom: string | null;
}

export function toKeyView(key: StoredKey, now: number): KeyView {
  return {
    id: key.id,
    environment: key.environment,
    name: key.name,
    hint: key.hint,
    accountId: key.accountId,
    rateLimit: key.rateLimit,
    createdAt: iso(key.createdAt),
    expiresAt: isoOrNull(key.expiresAt),
    status: keyStatus(key, now),
    revokedAt: isoOrNull(key.revokedAt),
    lastUsedAt: isoOrNull(key.lastUsedAt),
    rolledFrom: key.rolledFrom,
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));
