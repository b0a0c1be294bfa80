import type { Environment } from '@routemcp/api-key';
import type { KeyMetadata, Quota, RateLimit, RateLimitBucket } from '@routemcp/internal-api';

export type { RateLimit };

/** What a key may do, besides its one-bucket `rateLimit` (issue 15). Null: not set, nothing restricted. */
export interface KeyPolicies {
  permissions: string[] | null;
  allowedIps: string[] | null;
  ownerId: string | null;
  rateLimits: RateLimitBucket[] | null;
  quota: Quota | null;
  metadata: KeyMetadata | null;
}

export const NO_POLICIES: Readonly<KeyPolicies> = {
  permissions: null,
  allowedIps: null,
  ownerId: null,
  rateLimits: null,
  quota: null,
  metadata: null,
};

export const POLICY_FIELDS = ['permissions', 'allowedIps', 'ownerId', 'rateLimits', 'quota', 'metadata'] as const;

/** The first report of a key found in public (issue 24). Later reports do not replace it. */
export interface KeyLeak {
  at: number;
  url: string;
  source: string;
}

/** What a leak report does to a key of one environment, besides recording it (KEYSTORE_LEAK_ACTION_*). */
export const LEAK_ACTIONS = ['notify', 'expire', 'revoke'] as const;
export type LeakActionName = (typeof LEAK_ACTIONS)[number];

/** A stored key. Times are epoch milliseconds. There is no field for the key itself, by design. */
export interface StoredKey extends KeyPolicies {
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
  /** Null until the key is reported leaked. */
  leak: KeyLeak | null;
}

export const KEY_STATUSES = ['active', 'expiring', 'expired', 'revoked'] as const;
export type KeyStatus = (typeof KEY_STATUSES)[number];

export function keyStatus(key: StoredKey, now: number): KeyStatus {
  if (key.revokedAt !== null) return 'revoked';
  if (key.expiresAt === null) return 'active';
  return key.expiresAt > now ? 'expiring' : 'expired';
}

/**
 * Why these settings cannot go together, naming the field, or undefined.
 * Checked on the key as it would be after a create or a PATCH, so a PATCH
 * cannot take away the ownerId a shared limit counts by.
 */
export function policyConflict(key: Pick<StoredKey, 'rateLimit' | keyof KeyPolicies>): string | undefined {
  if (key.rateLimit !== null && key.rateLimits !== null) {
    return 'rateLimit, rateLimits: set one of them (the other to null); rateLimit is the one-bucket shorthand';
  }
  if (key.ownerId === null && key.rateLimits?.some((bucket) => bucket.shared)) {
    return 'rateLimits: a shared bucket needs the key to have an ownerId';
  }
  if (key.ownerId === null && key.quota?.shared === true)
    return 'quota: a shared quota needs the key to have an ownerId';
  return undefined;
}
