import type { ManagementTokenRecord } from './management-token.ts';

/** Management tokens, beside the users and sessions of the account store (same database). */
export interface ManagementTokenStore {
  createManagementToken(record: ManagementTokenRecord): Promise<void>;
  getManagementToken(id: string): Promise<ManagementTokenRecord | undefined>;
  findManagementTokenByHash(hash: string): Promise<ManagementTokenRecord | undefined>;
  /** Newest first; undefined: every account (the operator's view). */
  listManagementTokens(accountId: string | undefined): Promise<ManagementTokenRecord[]>;
  /** Sets `revokedAt` once; true when this call revoked it. */
  revokeManagementToken(id: string, now: number): Promise<boolean>;
  /** Sets `lastUsedAt` to `now` unless another call already set it within `resolutionMs`. */
  touchManagementToken(id: string, now: number, resolutionMs: number): Promise<void>;
}
