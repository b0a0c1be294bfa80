import { describe, expect, it } from 'vitest';
import { quotaPeriodEnd, quotaPeriodStart } from './quota-period.ts';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('quota periods (UTC)', () => {
  it.each([
    ['day', '2026-12-31T23:59:59.999Z', '2026-12-31T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['day', '2026-03-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z', '2026-03-02T00:00:00.000Z'],
    ['month', '2026-12-15T10:00:00.000Z', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['month', '2028-02-29T23:00:00.000Z', '2028-02-01T00:00:00.000Z', '2028-03-01T00:00:00.000Z'],
    ['total', '2026-12-15T10:00:00.000Z', '1970-01-01T00:00:00.000Z', null],
  ] as const)('%s at %s: %s .. %s', (period, now, start, end) => {
    expect(iso(quotaPeriodStart(period, at(now)))).toBe(start);
    expect(iso(quotaPeriodEnd(period, at(now)))).toBe(end);
  });
});
