import { z } from 'zod';
import type { KeyRecord } from './key-verifier.ts';
import type { KeyStatus } from './keystore-client.ts';

/** The 200 body of `GET /internal/v1/keys/{hash}` (docs/internal-api.md). Checked only on misses, never on the hot path. */
const lookupResponseSchema = z.object({
  success: z.literal(true),
  data: z.object({
    id: z.string().min(1),
    accountId: z.string().min(1),
    environment: z.enum(['live', 'test']),
    status: z.enum(['active', 'revoked']),
    expiresAt: z.iso.datetime({ offset: true }).nullable(),
    rateLimit: z.object({ capacity: z.number().int().positive(), refillPerSecond: z.number().positive() }).nullable(),
  }),
});

/** The record and its status, or null when the body is not what the contract promises. */
export function parseLookupResponse(body: unknown): { record: KeyRecord; status: KeyStatus } | null {
  const parsed = lookupResponseSchema.safeParse(body);
  if (!parsed.success) return null;
  const { status, expiresAt, ...rest } = parsed.data.data;
  return { status, record: { ...rest, expiresAt: expiresAt === null ? null : Date.parse(expiresAt) } };
}
