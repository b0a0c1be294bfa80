import { hash } from '@routemcp/api-key';
import type { ErrorCode } from '@routemcp/errors';
import type { KeyRecord, KeyVerifier, Verdict } from '../key-lookup/index.ts';

export type VerifyKeyResult = { ok: true; key: KeyRecord } | { ok: false; code: ErrorCode; reason: string };

const INVALID = { unknown: invalid('unknown'), revoked: invalid('revoked'), expired: invalid('expired') };
const UNAVAILABLE: VerifyKeyResult = { ok: false, code: 'AUTH_UNAVAILABLE', reason: 'unavailable' };

function invalid(reason: string): VerifyKeyResult {
  return { ok: false, code: 'INVALID_API_KEY', reason };
}

/**
 * Looks the key up by its hash. Fails closed: a keystore outage is a 503, never
 * a pass. Expiry is checked again here because a cached record can outlive it.
 * Synchronous on a cache hit (no microtask on the hot path).
 *
 * The key itself is never compared with anything: it is hashed (SHA-256, whose
 * time does not depend on the content) and only the digest is looked up, in
 * the cache and at the keystore. A key with the right prefix and a wrong tail
 * therefore costs exactly what any unknown key costs; nothing about how close
 * a guess was shows in the timing.
 */
export function verifyKey(verifier: KeyVerifier, key: string, now: number): VerifyKeyResult | Promise<VerifyKeyResult> {
  return verifyKeyHash(verifier, hash(key), now);
}

/** verifyKey for a key already hashed (ConnectionKeys). */
export function verifyKeyHash(
  verifier: KeyVerifier,
  keyHash: string,
  now: number,
): VerifyKeyResult | Promise<VerifyKeyResult> {
  const verdict = verifier.verify(keyHash);
  return verdict instanceof Promise ? verdict.then((settled) => resultOf(settled, now)) : resultOf(verdict, now);
}

function resultOf(verdict: Verdict, now: number): VerifyKeyResult {
  if (verdict.ok) {
    const { expiresAt } = verdict.key;
    return expiresAt !== null && expiresAt <= now ? INVALID.expired : verdict;
  }
  return verdict.reason === 'unavailable' ? UNAVAILABLE : INVALID[verdict.reason];
}
