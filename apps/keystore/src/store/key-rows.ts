import type { Environment } from '@routemcp/api-key';
import type { KeyPolicies, StoredKey } from '../keys/key-record.ts';

/** The `keys` table as both engines return it (policies as JSON text, so both read them alike). */
export interface KeyRow {
  id: string;
  account_id: string;
  environment: string;
  hash: string;
  hint: string;
  name: string | null;
  capacity: number | null;
  refill_per_second: number | null;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
  rolled_from: string | null;
  owner_id: string | null;
  permissions: string | null;
  allowed_ips: string | null;
  rate_limits: string | null;
  quota: string | null;
  metadata: string | null;
  leaked_at: number | null;
  leak_url: string | null;
  leak_source: string | null;
}

export interface EventRow {
  seq: number;
  key_id: string;
  key_hash: string;
  type: string;
  at: number;
}

export const KEY_COLUMNS =
  'id, account_id, environment, hash, hint, name, capacity, refill_per_second, created_at, expires_at, revoked_at, last_used_at, rolled_from, owner_id, permissions, allowed_ips, rate_limits, quota, metadata, leaked_at, leak_url, leak_source';

/** The policy columns in the order `policyValues` gives them. */
export const POLICY_COLUMNS = ['owner_id', 'permissions', 'allowed_ips', 'rate_limits', 'quota', 'metadata'] as const;

export function policyValues(key: KeyPolicies): (string | null)[] {
  return [
    key.ownerId,
    json(key.permissions),
    json(key.allowedIps),
    json(key.rateLimits),
    json(key.quota),
    json(key.metadata),
  ];
}

const json = (value: unknown): string | null => (value === null ? null : JSON.stringify(value));
const parsed = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

export function toRecord(row: KeyRow | undefined): StoredKey | undefined {
  if (row === undefined) return undefined;
  return {
    id: row.id,
    accountId: row.account_id,
    environment: row.environment as Environment,
    hash: row.hash,
    hint: row.hint,
    name: row.name,
    rateLimit:
      row.capacity === null || row.refill_per_second === null
        ? null
        : { capacity: row.capacity, refillPerSecond: row.refill_per_second },
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    rolledFrom: row.rolled_from,
    ownerId: row.owner_id,
    permissions: parsed(row.permissions),
    allowedIps: parsed(row.allowed_ips),
    rateLimits: parsed(row.rate_limits),
    quota: parsed(row.quota),
    metadata: parsed(row.metadata),
    leak: row.leaked_at === null ? null : { at: row.leaked_at, url: row.leak_url ?? '', source: row.leak_source ?? '' },
  };
}
