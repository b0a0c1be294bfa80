import { keyLookupResponseSchema } from '@routemcp/internal-api';
import type { KeyRecord } from './key-verifier.ts';
import type { KeyStatus } from './keystore-client.ts';

/**
 * The record and its status from a 200 body of the internal lookup
 * (@routemcp/internal-api's schema, shared with the keystore), or null when
 * the body is not what the contract promises. Checked only on misses, never
 * on the hot path.
 */
export function parseLookupResponse(body: unknown): { record: KeyRecord; status: KeyStatus } | null {
  const parsed = keyLookupResponseSchema.safeParse(body);
  if (!parsed.success) return null;
  const { status, expiresAt, ...rest } = parsed.data.data;
  return { status, record: { ...rest, expiresAt: expiresAt === null ? null : Date.parse(expiresAt) } };
}
