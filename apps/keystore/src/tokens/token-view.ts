import { z } from 'zod';
import { ROLES } from '../accounts/roles.ts';
import type { ManagementTokenRecord } from './management-token.ts';

const isoTime = z.iso.datetime({ offset: true });

/** What the API says about a management token: never the token, never its hash. */
export const tokenViewSchema = z
  .object({
    id: z.string().meta({ example: 'tok_4fT8kP1qZr7mWn2X' }),
    accountId: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    createdBy: z.string().meta({ description: 'An email, `operator`, or `token:<name>`' }),
    createdAt: isoTime,
    lastUsedAt: isoTime.nullable().meta({ description: 'Updated at most once a minute' }),
    revokedAt: isoTime.nullable(),
  })
  .meta({ id: 'ManagementToken' });
export type TokenView = z.infer<typeof tokenViewSchema>;

const { id, ...viewFields } = tokenViewSchema.shape;

/** The answer of `POST /v1/tokens`, the only one that carries the token. */
export const issuedTokenSchema = z
  .object({
    id,
    token: z.string().meta({ description: 'Shown once: only its SHA-256 is stored', example: 'rmk_…' }),
    ...viewFields,
  })
  .meta({ id: 'IssuedManagementToken' });

const iso = (ms: number): string => new Date(ms).toISOString();

export function toTokenView(record: ManagementTokenRecord): TokenView {
  return {
    id: record.id,
    accountId: record.accountId,
    name: record.name,
    role: record.role,
    createdBy: record.createdBy,
    createdAt: iso(record.createdAt),
    lastUsedAt: record.lastUsedAt === null ? null : iso(record.lastUsedAt),
    revokedAt: record.revokedAt === null ? null : iso(record.revokedAt),
  };
}
