/** quota.warning is sent once a period's use reaches this share of the limit. */
export const QUOTA_WARNING_RATIO = 0.8;

export type QuotaLevel = 'warning' | 'exceeded';

/** The levels `used` has reached against `limit`, lowest first (a jump past both announces both). */
export function quotaLevels(limit: number, used: number): QuotaLevel[] {
  const levels: QuotaLevel[] = [];
  if (used >= Math.ceil(limit * QUOTA_WARNING_RATIO)) levels.push('warning');
  if (used >= limit) levels.push('exceeded');
  return levels;
}
