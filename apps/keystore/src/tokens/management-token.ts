import { createHash } from 'node:crypto';
import { randomBase62 } from '../ids.ts';
import { ROLES, type Role } from '../accounts/roles.ts';

/**
 * `rmk_` ("RouteMCP management key") + 43 base62 characters, 256 bits: a
 * prefix of its own so that neither the proxy (`sk_live_`/`sk_test_`) nor the
 * operator's token can be mistaken for it, and secret scanners can match it.
 */
export const MANAGEMENT_TOKEN_PREFIX = 'rmk_';
export const MANAGEMENT_TOKEN = /^rmk_[0-9A-Za-z]{43}$/;
const SECRET_LENGTH = 43;

export const newTokenId = (): string => `tok_${randomBase62(16)}`;

/** A named management credential of one account. Times are epoch ms; the token itself is never stored. */
export interface ManagementTokenRecord {
  id: string;
  accountId: string;
  name: string;
  role: Role;
  /** SHA-256 (hex) of the token. */
  hash: string;
  /** Who minted it, as the audit log names actors (an email, `operator`, `token:<name>`). */
  createdBy: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface MintedToken {
  token: string;
  hash: string;
}

export function mintManagementToken(): MintedToken {
  const token = `${MANAGEMENT_TOKEN_PREFIX}${randomBase62(SECRET_LENGTH)}`;
  return { token, hash: hashManagementToken(token) };
}

/**
 * SHA-256, not scrypt: the token carries 256 random bits, so nobody can guess
 * it from its hash however fast the hash is; a slow hash would only cost CPU
 * on every API call, and a salt would rule out finding the row by its hash.
 */
export function hashManagementToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A role may hand out itself or less: only an owner mints an `owner` token. */
export function mayMint(minter: Role, requested: Role): boolean {
  return ROLES.indexOf(minter) <= ROLES.indexOf(requested);
}

/** Last use is written at most this often per token, not on every call. */
export const LAST_USE_RESOLUTION_MS = 60_000;

export function lastUseIsStale(record: Pick<ManagementTokenRecord, 'lastUsedAt'>, now: number): boolean {
  return record.lastUsedAt === null || now - record.lastUsedAt >= LAST_USE_RESOLUTION_MS;
}
