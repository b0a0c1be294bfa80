import type { AccountStore, AuditEntry, AuditFilter } from '../accounts/account-store.ts';
import { encodeCursor } from './audit-cursor.ts';

/** What a page selects, besides its position. */
export type AuditSelection = Omit<AuditFilter, 'beforeSeq' | 'afterSeq' | 'limit'>;

/** Where a page starts: the newest entries, older than a cursor's seq, or newer than it. */
export type AuditPosition = { from: 'newest' } | { from: 'older'; seq: number } | { from: 'newer'; seq: number };

export interface AuditPage {
  /** Newest first. */
  entries: AuditEntry[];
  /** The page after this one (older entries); null at the oldest. */
  olderCursor: string | null;
  /** The page before this one (newer entries); null at the newest. */
  newerCursor: string | null;
}

/**
 * One page of the audit log for the API and the dashboard alike. Reads one
 * entry more than it shows, so "is there another page" costs no second query.
 */
export async function readAuditPage(
  accounts: Pick<AccountStore, 'listAudit'>,
  selection: AuditSelection,
  position: AuditPosition,
  limit: number,
): Promise<AuditPage> {
  if (position.from === 'newer') {
    const rows = await accounts.listAudit({ ...selection, afterSeq: position.seq, limit: limit + 1 });
    const more = rows.length > limit;
    const entries = more ? rows.slice(1) : rows;
    return {
      entries,
      // The cursor's own entry is older than all of these, so an older page always exists.
      olderCursor: encodeCursor(entries.at(-1)?.seq ?? position.seq + 1),
      newerCursor: more && entries[0] !== undefined ? encodeCursor(entries[0].seq) : null,
    };
  }
  const beforeSeq = position.from === 'older' ? position.seq : undefined;
  const rows = await accounts.listAudit({ ...selection, beforeSeq, limit: limit + 1 });
  const entries = rows.slice(0, limit);
  const last = entries.at(-1);
  return {
    entries,
    olderCursor: rows.length > limit && last !== undefined ? encodeCursor(last.seq) : null,
    newerCursor: beforeSeq === undefined ? null : encodeCursor(entries[0]?.seq ?? beforeSeq - 1),
  };
}
