import { parse, type Environment } from '@routemcp/api-key';
import type { RequestHead } from './request-head.ts';

export type ReadKeyResult = { ok: true; key: string; environment: Environment } | { ok: false };

const MALFORMED: ReadKeyResult = { ok: false };
const SCHEME = 'bearer ';

/**
 * Strict `Authorization: Bearer <key>`: exactly one header, scheme
 * case-insensitive, one space, one token, nothing else; then the key's format
 * and checksum. Everything is local, so garbage never costs a lookup.
 *
 * The header is counted in the raw list (readHead) because Node keeps only
 * the first of duplicate Authorization headers in `headers`, which would
 * hide a second credential.
 */
export function readKey(head: Pick<RequestHead, 'authorization' | 'authorizations'>): ReadKeyResult {
  const value = head.authorization;
  if (head.authorizations !== 1 || value === undefined || value.length <= SCHEME.length) return MALFORMED;
  if (value.slice(0, SCHEME.length).toLowerCase() !== SCHEME) return MALFORMED;
  const key = value.slice(SCHEME.length);
  // parse() accepts only `sk_{live|test}_` + base62 + checksum, so any further
  // space, comma or second token fails here.
  const parsed = parse(key);
  return parsed.ok ? { ok: true, key, environment: parsed.environment } : MALFORMED;
}
