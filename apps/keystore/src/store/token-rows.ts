import { isRole } from '../accounts/roles.ts';
import type { ManagementTokenRecord } from '../tokens/management-token.ts';

/** The `management_tokens` table as both engines return it. */
export interface TokenRow {
  id: string;
  account_id: string;
  name: string;
  role: string;
  token_hash: string;
  created_by: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export const TOKEN_COLUMNS = 'id, account_id, name, role, token_hash, created_by, created_at, last_used_at, revoked_at';

export function toTokenRecord(row: TokenRow): ManagementTokenRecord {
  // The column only ever receives a parsed role; anything else is a damaged row, and the least trust is the safe reading.
  const role = isRole(row.role) ? row.role : 'viewer';
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    role,
    hash: row.token_hash,
    createdBy: row.created_by,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export const tokenParams = (t: ManagementTokenRecord): (string | number | null)[] => [
  t.id,
  t.accountId,
  t.name,
  t.role,
  t.hash,
  t.createdBy,
  t.createdAt,
  t.lastUsedAt,
  t.revokedAt,
];
