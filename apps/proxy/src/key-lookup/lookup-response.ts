import { keyLookupResponseSchema } from '@routemcp/internal-api';
import { z } from 'zod';
import type { KeyRecord } from './key-verifier.ts';
import type { KeyStatus } from './keystore-client.ts';

/**
 * The key-policy fields of a lookup (docs/internal-api.md). Each may be
 * missing (an older keystore): that reads as "no policy".
 */
const policySchema = z.object({
  ownerId: z.string().min(1).nullish(),
  permissions: z.array(z.string()).nullish(),
  allowedIps: z.array(z.string()).nullish(),
  rateLimits: z
    .array(
      z.object({
        name: z.string().min(1),
        capacity: z.number().int().positive(),
        refillPerSecond: z.number().positive(),
        shared: z.boolean().default(false),
        shadow: z.boolean().default(false),
      }),
    )
    .min(1)
    .nullish(),
  quota: z
    .object({
      limit: z.number().int().positive(),
      period: z.enum(['day', 'month', 'total']),
      shared: z.boolean().default(false),
      used: z.number().int().min(0).default(0),
      periodStart: z.iso.datetime({ offset: true }).nullish(),
    })
    .nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
});

/**
 * The record and its status from a 200 body of the internal lookup
 * (@routemcp/internal-api's schema, shared with the keystore), or null when
 * the body is not what the contract promises. Checked only on misses, never
 * on the hot path.
 */
export function parseLookupResponse(body: unknown): { record: KeyRecord; status: KeyStatus } | null {
  const parsed = keyLookupResponseSchema.safeParse(body);
  if (!parsed.success) return null;
  const policy = policySchema.safeParse((body as { data: unknown }).data);
  if (!policy.success) return null;
  const { status, expiresAt, ...rest } = parsed.data.data;
  const { quota, ...policies } = policy.data;
  // Only the policies a key has: a record without any reads exactly as before they existed.
  const record: KeyRecord = { ...rest, expiresAt: expiresAt === null ? null : Date.parse(expiresAt) };
  if (policies.ownerId != null) record.ownerId = policies.ownerId;
  if (policies.permissions != null) record.permissions = policies.permissions;
  if (policies.allowedIps != null) record.allowedIps = policies.allowedIps;
  if (policies.rateLimits != null) record.rateLimits = policies.rateLimits;
  if (policies.metadata != null) record.metadata = policies.metadata;
  if (quota != null) {
    record.quota = {
      limit: quota.limit,
      period: quota.period,
      shared: quota.shared,
      used: quota.used,
      periodStart: quota.periodStart == null ? 0 : Date.parse(quota.periodStart),
    };
  }
  return { status, record };
}
