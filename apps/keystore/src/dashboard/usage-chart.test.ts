import { describe, expect, it } from 'vitest';
import { chartStart, HOUR_MS, totals, usageChart, usageSeries } from './usage-chart.ts';

const NOW = Date.parse('2026-06-01T12:34:56.000Z');
const THIS_HOUR = Date.parse('2026-06-01T12:00:00.000Z');

describe('usageSeries', () => {
  it('gives 24 hourly points ending with the current hour, zero-filled', () => {
    const points = usageSeries([], NOW);
    expect(points).toHaveLength(24);
    expect(points[23]?.hour).toBe(THIS_HOUR);
    expect(points[0]?.hour).toBe(THIS_HOUR - 23 * HOUR_MS);
    expect(chartStart(NOW)).toBe(points[0]?.hour);
    expect(totals(points)).toEqual({ requests: 0, rateLimited: 0 });
  });

  it('places rows in their hour, sums several keys, ignores rows outside the window', () => {
    const points = usageSeries(
      [
        { keyId: 'a', hour: THIS_HOUR, requests: 10, rateLimited: 2 },
        { keyId: 'b', hour: THIS_HOUR, requests: 5, rateLimited: 0 },
        { keyId: 'a', hour: THIS_HOUR - 3 * HOUR_MS, requests: 7, rateLimited: 7 },
        { keyId: 'a', hour: THIS_HOUR - 24 * HOUR_MS, requests: 99, rateLimited: 99 },
      ],
      NOW,
    );
    expect(points[23]).toEqual({ hour: THIS_HOUR, requests: 15, rateLimited: 2 });
    expect(points[20]).toEqual({ hour: THIS_HOUR - 3 * HOUR_MS, requests: 7, rateLimited: 7 });
    expect(totals(points)).toEqual({ requests: 22, rateLimited: 9 });
  });
});

describe('usageChart', () => {
  it('draws one slot per hour and names the totals for screen readers', () => {
    const points = usageSeries([{ keyId: 'a', hour: THIS_HOUR, requests: 4, rateLimited: 1 }], NOW);
    const svg = usageChart(points, { width: 240, height: 40 }).markup;
    expect(svg.match(/class="bar-bg"/g)).toHaveLength(24);
    expect(svg.match(/class="bar-req"/g)).toHaveLength(1);
    expect(svg.match(/class="bar-429"/g)).toHaveLength(1);
    expect(svg).toContain('aria-label="Last 24 hours: 4 requests, 1 rate-limited (429)"');
    expect(svg).not.toContain('style=');
  });
});
