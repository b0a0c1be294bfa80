import type { HourlyUsage } from '../accounts/account-store.ts';
import { html, raw, type SafeHtml } from './html.ts';

export const HOUR_MS = 3_600_000;
export const CHART_HOURS = 24;

export interface UsagePoint {
  /** Start of the hour, epoch ms. */
  hour: number;
  requests: number;
  rateLimited: number;
}

/** Start of the oldest hour a 24 h chart ending now shows. */
export function chartStart(now: number, hours = CHART_HOURS): number {
  return Math.floor(now / HOUR_MS) * HOUR_MS - (hours - 1) * HOUR_MS;
}

/** One point per hour, oldest first, the current hour last; hours without rows are zero. */
export function usageSeries(
  rows: readonly Pick<HourlyUsage, 'keyId' | 'hour' | 'requests' | 'rateLimited'>[],
  now: number,
  hours = CHART_HOURS,
): UsagePoint[] {
  const start = chartStart(now, hours);
  const points: UsagePoint[] = Array.from({ length: hours }, (_, i) => ({
    hour: start + i * HOUR_MS,
    requests: 0,
    rateLimited: 0,
  }));
  for (const row of rows) {
    const point = points[(row.hour - start) / HOUR_MS];
    if (point === undefined) continue;
    point.requests += row.requests;
    point.rateLimited += row.rateLimited;
  }
  return points;
}

export function totals(points: readonly UsagePoint[]): { requests: number; rateLimited: number } {
  return points.reduce(
    (sum, p) => ({ requests: sum.requests + p.requests, rateLimited: sum.rateLimited + p.rateLimited }),
    { requests: 0, rateLimited: 0 },
  );
}

/**
 * Bars per hour: requests, with the 429s drawn over their foot in a warning
 * colour. Pure SVG (no script, no inline style) so the page's CSP stays strict.
 */
export function usageChart(points: readonly UsagePoint[], size: { width: number; height: number }): SafeHtml {
  const { requests, rateLimited } = totals(points);
  const max = Math.max(1, ...points.map((p) => p.requests));
  const slot = size.width / Math.max(1, points.length);
  const bar = Math.max(1, slot * 0.7);
  const scale = (n: number) => (n === 0 ? 0 : Math.max(1, (n / max) * (size.height - 1)));
  const rects = points
    .map((p, i) => {
      const x = (i * slot + (slot - bar) / 2).toFixed(1);
      const h = scale(p.requests);
      const limited = scale(p.rateLimited);
      return (
        `<rect class="bar-bg" x="${x}" y="0" width="${bar.toFixed(1)}" height="${size.height}" rx="1"/>` +
        (h > 0
          ? `<rect class="bar-req" x="${x}" y="${(size.height - h).toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}" rx="1"/>`
          : '') +
        (limited > 0
          ? `<rect class="bar-429" x="${x}" y="${(size.height - limited).toFixed(1)}" width="${bar.toFixed(1)}" height="${limited.toFixed(1)}" rx="1"/>`
          : '')
      );
    })
    .join('');
  const label = `Last 24 hours: ${requests} requests, ${rateLimited} rate-limited (429)`;
  return html`<svg class="usage-chart" role="img" aria-label="${label}" width="${size.width}" height="${size.height}" viewBox="0 0 ${size.width} ${size.height}" preserveAspectRatio="none"><title>${label}</title>${raw(rects)}</svg>`;
}
