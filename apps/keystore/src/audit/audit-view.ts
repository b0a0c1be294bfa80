import { z } from 'zod';
import type { AuditEntry } from '../accounts/account-store.ts';

/**
 * One audit entry as the API answers it. An entry names who, what, which
 * and from where; it never holds a key, a password, a token or a session id.
 */
export const auditEntrySchema = z
  .object({
    seq: z.number().int().meta({ description: 'Grows with every entry: a SIEM can de-duplicate on it' }),
    accountId: z.string().nullable().meta({ description: 'Null: a failed login for an unknown email' }),
    actor: z.string().meta({ description: "A member's email, `operator` (admin token) or `cli`" }),
    action: z.string().meta({ example: 'key.created' }),
    target: z.string().nullable().meta({ description: 'What the action was about (a key id), never a key' }),
    address: z.string().nullable().meta({ description: "The client's address, when the action came over HTTP" }),
    at: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'AuditEntry' });

export const auditPageSchema = z
  .object({
    entries: z.array(auditEntrySchema).meta({ description: 'Newest first' }),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: 'Pass as `cursor` for the next (older) page; null: this is the oldest' }),
  })
  .meta({ id: 'AuditLogPage' });

export type AuditEntryView = z.infer<typeof auditEntrySchema>;

export function toAuditView(entry: AuditEntry): AuditEntryView {
  return {
    seq: entry.seq,
    accountId: entry.accountId,
    actor: entry.actor,
    action: entry.action,
    target: entry.target,
    address: entry.address,
    at: new Date(entry.at).toISOString(),
  };
}
