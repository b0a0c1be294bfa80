import { z } from 'zod';
import { rateLimitSchema } from './rate-limit.ts';

export const KEY_HASH = /^[0-9a-f]{64}$/;
export const keyHashSchema = z.string().regex(KEY_HASH, { error: 'expected 64 lowercase hex characters' });

export const keyLookupStatusSchema = z.enum(['active', 'revoked']);
export type KeyLookupStatus = z.infer<typeof keyLookupStatusSchema>;

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
});

export type KeyLookup = z.infer<typeof keyLookupSchema>;

/** The whole 200 body, envelope included. */
export const keyLookupResponseSchema = z.object({ success: z.literal(true), data: keyLookupSchema });

export const keyLookupPath = (keyHash: string): string => `/internal/v1/keys/${keyHash}`;
