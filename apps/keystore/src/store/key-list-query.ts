import { KEY_COLUMNS } from './key-rows.ts';
import type { KeyFilter } from './key-store.ts';

/**
 * The one SELECT of `listKeys`, for both engines: they differ only in how a
 * parameter is written (`?` or `$n`, by `bind`, which also records the
 * value) and in the column that breaks a `created_at` tie (`tiebreak`).
 * What each status means lives here and nowhere else.
 */
export function keyListQuery(
  filter: KeyFilter,
  now: number,
  bind: (value: string | number) => string,
  tiebreak: string,
): string {
  const where: string[] = [];
  if (filter.accountId !== undefined) where.push(`account_id = ${bind(filter.accountId)}`);
  if (filter.environment !== undefined) where.push(`environment = ${bind(filter.environment)}`);
  switch (filter.status) {
    case 'revoked':
      where.push('revoked_at IS NOT NULL');
      break;
    case 'active':
      where.push('revoked_at IS NULL AND expires_at IS NULL');
      break;
    case 'expiring':
      where.push(`revoked_at IS NULL AND expires_at > ${bind(now)}`);
      break;
    case 'expired':
      where.push(`revoked_at IS NULL AND expires_at <= ${bind(now)}`);
      break;
  }
  return (
    `SELECT ${KEY_COLUMNS} FROM keys` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY created_at DESC, ${tiebreak} DESC`
  );
}
