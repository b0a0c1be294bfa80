import { verify, type KeyObject } from 'node:crypto';

/** The two headers GitHub signs a secret-scanning report with. */
export const KEY_ID_HEADER = 'github-public-key-identifier';
export const SIGNATURE_HEADER = 'github-public-key-signature';

/**
 * GitHub's signature: ECDSA P-256 with SHA-256, DER, base64, over the body
 * bytes exactly as they arrived (a re-serialised body does not verify).
 */
export function signatureValid(body: Buffer, signature: string, key: KeyObject): boolean {
  try {
    return verify('sha256', body, { key, dsaEncoding: 'der' }, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
