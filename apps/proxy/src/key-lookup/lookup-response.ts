import { keyLookupResponseSchema } from '@routemcp/internal-api';
import type { KeyRecord } from './key-verifier.ts';
import type { KeyStatus } from './keystore-client.ts';

/**
 * The record and its status from a 200 body of the internal lookup
 * (@routemcp/internal-api's schema, shared with the keystore: policies an
 * older keystore does not send read as null), or null when the body is not
 * what the contract promises. Checked only on misses, never on the hot path.
 */
export function parseLookupResponse(body: unknown): { record: KeyRecord; status: KeyStatus } | null {
  const parsed = keyLookupResponseSchema.safeParse(body);
  if (!parsed.success) return null;
  const { status, expiresAt, ownerId, permissions, allowedIps, rateLimits, quota, metadata, ...rest } =
    parsed.data.data;
  // Only the policies a key has: a record without any reads exactly as before they existed.
  const record: KeyRecord = { ...rest, expiresAt: expiresAt === null ? null : Date.parse(expiresAt) };
  if (ownerId !== null) record.ownerId = ownerId;
  if (permissions !== null) record.permissions = permissions;
  if (allowedIps !== null) record.allowedIps = allowedIps;
  if (rateLimits !== null) record.rateLimits = rateLimits;
  if (metadata !== null) record.metadata = metadata as Record<string, unknown>;
  if (quota !== null) {
    record.quota = {
      limit: quota.limit,
      period: quota.period,
      shared: quota.shared ?? false,
      used: quota.used,
      periodStart: Date.parse(quota.periodStart),
    };
  }
  return { status, record };
}
