import { z } from 'zod';
import {
  allowedIpsSchema,
  lookupPermissionsSchema,
  lookupRateLimitsSchema,
  metadataSchema,
  ownerIdSchema,
  quotaShape,
} from './key-policies.ts';
import { rateLimitSchema } from './rate-limit.ts';

export const KEY_HASH = /^[0-9a-f]{64}$/;
export const keyHashSchema = z.string().regex(KEY_HASH, { error: 'expected 64 lowercase hex characters' });

export const keyLookupStatusSchema = z.enum(['active', 'revoked']);
export type KeyLookupStatus = z.infer<typeof keyLookupStatusSchema>;

/**
 * A key's quota with what the keystore has counted in the current period:
 * `used` sums the usage batches' `admitted` (for the key and the keys it was
 * rolled from, or for every key of the owner when shared), so it lags by at
 * most the proxies' flush interval.
 */
export const lookupQuotaSchema = z.object({
  ...quotaShape,
  used: z.number().int().min(0),
  /** Start of the current UTC period; `total`: the Unix epoch. */
  periodStart: z.iso.datetime({ offset: true }),
});
export type LookupQuota = z.infer<typeof lookupQuotaSchema>;

/**
 * What `GET /internal/v1/keys/{sha256}` answers in `data`: everything a proxy
 * needs to verify and limit a key, never the key and never its hash.
 */
export const keyLookupSchema = z.object({
  id: z.string().min(1),
  accountId: z.string().min(1),
  environment: z.enum(['live', 'test']),
  status: keyLookupStatusSchema,
  /** A rolled key's old half carries the end of its grace period; the proxy enforces it itself. */
  expiresAt: z.iso.datetime({ offset: true }).nullable(),
  /** Null: the environment's default applies. */
  rateLimit: rateLimitSchema.nullable(),
  // The policies (docs/internal-api.md). Missing (an older keystore) parses as null, so a newer proxy still works.
  ownerId: ownerIdSchema.nullable().default(null),
  permissions: lookupPermissionsSchema.nullable().default(null),
  allowedIps: allowedIpsSchema.nullable().default(null),
  rateLimits: lookupRateLimitsSchema.nullable().default(null),
  quota: lookupQuotaSchema.nullable().default(null),
  metadata: metadataSchema.nullable().default(null),
});

export type KeyLookup = z.infer<typeof keyLookupSchema>;

/** The whole 200 body, envelope included. */
export const keyLookupResponseSchema = z.object({ success: z.literal(true), data: keyLookupSchema });

export const keyLookupPath = (keyHash: string): string => `/internal/v1/keys/${keyHash}`;
