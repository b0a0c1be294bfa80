import { z } from 'zod';
import {
  allowedIpsSchema,
  keyLeakSchema,
  metadataSchema,
  ownerIdSchema,
  permissionsSchema,
  quotaShape,
  rateLimitSchema,
  rateLimitsSchema,
} from '@routemcp/internal-api';
import type { QuotaUsage } from './key-service.ts';
import { KEY_STATUSES, keyStatus, type StoredKey } from './key-record.ts';

const isoTime = z.iso.datetime({ offset: true });

/**
 * The management API's view of a key: never the key, never the hash. A zod
 * schema so that the OpenAPI document describes exactly what is sent.
 */
export const keyViewSchema = z
  .object({
    id: z.string().meta({ example: 'key_3hV9cM0XzRk2aQpL7sWbYt1E' }),
    environment: z.enum(['live', 'test']),
    name: z.string().nullable(),
    hint: z.string().meta({ description: 'Prefix and last 4 characters, e.g. sk_live_…a1B2' }),
    accountId: z.string(),
    rateLimit: rateLimitSchema.nullable().meta({ description: "One token bucket; null: the environment's default." }),
    createdAt: isoTime,
    expiresAt: isoTime.nullable(),
    status: z.enum(KEY_STATUSES),
    revokedAt: isoTime.nullable(),
    lastUsedAt: isoTime.nullable(),
    rolledFrom: z.string().nullable(),
    ownerId: ownerIdSchema.nullable(),
    permissions: permissionsSchema.nullable(),
    allowedIps: allowedIpsSchema.nullable(),
    rateLimits: rateLimitsSchema.nullable(),
    quota: z.object(quotaShape).nullable(),
    metadata: metadataSchema.nullable(),
    leak: keyLeakSchema
      .nullable()
      .meta({ description: 'The first report of this key found in public (docs/leaks.md); null: none.' }),
  })
  .meta({ id: 'Key' });
export type KeyView = z.infer<typeof keyViewSchema>;

/** One key (GET and PATCH /v1/keys/{id}): its quota with what was used in the current period. */
export const keyDetailSchema = keyViewSchema
  .extend({
    quota: z
      .object({
        ...quotaShape,
        used: z
          .number()
          .int()
          .min(0)
          .meta({ description: 'Admitted in the current period, as the proxies reported it.' }),
        remaining: z.number().int().min(0),
        periodStart: isoTime,
        resetsAt: isoTime.nullable().meta({ description: 'Start of the next period; null for "total".' }),
      })
      .nullable(),
  })
  .meta({ id: 'KeyDetail' });
export type KeyDetail = z.infer<typeof keyDetailSchema>;

/** The two answers that carry the key itself, once: create and roll. */
export const issuedKeySchema = keyViewSchema
  .extend({ key: z.string().meta({ description: 'The key. Shown only in this answer; the keystore keeps its hash.' }) })
  .meta({ id: 'IssuedKey' });

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
    ownerId: key.ownerId,
    permissions: key.permissions,
    allowedIps: key.allowedIps,
    rateLimits: key.rateLimits,
    quota: key.quota,
    metadata: key.metadata,
    leak: key.leak === null ? null : { at: iso(key.leak.at), url: key.leak.url, source: key.leak.source },
  };
}

export function toKeyDetail(key: StoredKey, usage: QuotaUsage | null, now: number): KeyDetail {
  const view = toKeyView(key, now);
  if (key.quota === null || usage === null) return { ...view, quota: null };
  return {
    ...view,
    quota: {
      ...key.quota,
      used: usage.used,
      remaining: usage.remaining,
      periodStart: iso(usage.periodStart),
      resetsAt: isoOrNull(usage.resetsAt),
    },
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));
