import type { AuditFilter } from '../accounts/account-store.ts';
import { AUDIT_COLUMNS } from './account-rows.ts';

export interface AuditQuery {
  sql: string;
  params: (string | number)[];
  /** The rows come oldest first (paging towards newer) and are to be reversed. */
  reversed: boolean;
}

/**
 * The one SELECT of `listAudit`, for both engines: they differ only in how a
 * parameter is written (`?` or `$n`), so the filter's meaning lives here once.
 */
export function auditQuery(filter: AuditFilter, placeholder: (n: number) => string): AuditQuery {
  const params: (string | number)[] = [];
  const bind = (value: string | number) => {
    params.push(value);
    return placeholder(params.length);
  };
  const where: string[] = [];
  if (filter.accountId !== undefined) where.push(`account_id = ${bind(filter.accountId)}`);
  if (filter.actor !== undefined) where.push(`actor = ${bind(filter.actor)}`);
  if (filter.actions !== undefined) {
    where.push(filter.actions.length === 0 ? '1 = 0' : `action IN (${filter.actions.map(bind).join(', ')})`);
  }
  if (filter.target !== undefined) where.push(`target = ${bind(filter.target)}`);
  if (filter.since !== undefined) where.push(`at >= ${bind(filter.since)}`);
  if (filter.until !== undefined) where.push(`at < ${bind(filter.until)}`);
  if (filter.beforeSeq !== undefined) where.push(`seq < ${bind(filter.beforeSeq)}`);
  if (filter.afterSeq !== undefined) where.push(`seq > ${bind(filter.afterSeq)}`);
  // Towards newer, the page is the entries nearest the cursor: read upwards from it, then turn them round.
  const reversed = filter.afterSeq !== undefined;
  const sql =
    `SELECT ${AUDIT_COLUMNS} FROM audit_log` +
    (where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`) +
    ` ORDER BY seq ${reversed ? 'ASC' : 'DESC'} LIMIT ${bind(filter.limit)}`;
  return { sql, params, reversed };
}
