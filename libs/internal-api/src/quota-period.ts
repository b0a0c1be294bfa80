export const QUOTA_PERIODS = ['day', 'month', 'total'] as const;
export type QuotaPeriod = (typeof QUOTA_PERIODS)[number];

/** Start of the UTC period holding `now` (epoch ms); `total` began at the Unix epoch. */
export function quotaPeriodStart(period: QuotaPeriod, now: number): number {
  const d = new Date(now);
  switch (period) {
    case 'day':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    case 'month':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case 'total':
      return 0;
  }
}

/** Start of the next UTC period (when the quota is whole again, for `Retry-After`); `total` never ends: null. */
export function quotaPeriodEnd(period: QuotaPeriod, now: number): number | null {
  const d = new Date(now);
  switch (period) {
    case 'day':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
    case 'month':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    case 'total':
      return null;
  }
}
