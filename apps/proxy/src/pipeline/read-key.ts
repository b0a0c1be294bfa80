import { parse, type Environment } from '@routemcp/api-key';

export type ReadKeyResult = { ok: true; key: string; environment: Environment } | { ok: false };

const MALFORMED: ReadKeyResult = { ok: false };
const AUTHORIZATION = 'authorization';
const SCHEME = 'bearer ';

/**
 * Strict `Authorization: Bearer <key>`: exactly one header, scheme
 * case-insensitive, one space, one token, nothing else; then the key's format
 * and checksum. Everything is local, so garbage never costs a lookup.
 *
 * `rawHeaders` is scanned because Node keeps only the first of duplicate
 * Authorization headers in `headers`, which would hide a second credential.
 */
export function readKey(rawHeaders: readonly string[]): ReadKeyResult {
  let value: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length !== AUTHORIZATION.length || name.toLowerCase() !== AUTHORIZATION) continue;
    if (value !== undefined) return MALFORMED;
    value = rawHeaders[i + 1]!;
  }
  if (value === undefined || value.length <= SCHEME.length) return MALFORMED;
  if (value.slice(0, SCHEME.length).toLowerCase() !== SCHEME) return MALFORMED;
  const key = value.slice(SCHEME.length);
  // parse() accepts only `sk_{live|test}_` + base62 + checksum, so any further
  // space, comma or second token fails here.
  const parsed = parse(key);
  return parsed.ok ? { ok: true, key, environment: parsed.environment } : MALFORMED;
}
