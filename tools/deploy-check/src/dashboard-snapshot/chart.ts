import { formatValue, niceTicks } from './format.ts';

export interface ChartSeries {
  name: string;
  color: string;
  /** [unix seconds, value]; a gap longer than 1.5 steps breaks the line. */
  points: [number, number][];
}

export interface ChartOptions {
  width: number;
  height: number;
  range: { start: number; end: number; step: number };
  unit?: string;
  min?: number;
  max?: number;
  stacked?: boolean;
  /** Shaded stretches, in seconds from `range.start`. */
  bands: { label: string; startS: number; endS: number }[];
}

const PAD = { left: 58, right: 8, top: 14, bottom: 18 };

/** One time-series panel as an inline SVG: axes, shaded fault bands, one line (or stacked area) per series. */
export function chartSvg(series: ChartSeries[], o: ChartOptions): string {
  const plotted = o.stacked ? stack(series, o.range.step) : series;
  const values = plotted.flatMap((s) => s.points.map(([, v]) => v)).filter(Number.isFinite);
  const yMin = o.min ?? Math.min(0, ...values);
  const ticks = niceTicks(yMin, o.max ?? Math.max(yMin, ...values));
  const yMax = o.max ?? ticks.at(-1)!;
  const w = o.width - PAD.left - PAD.right;
  const h = o.height - PAD.top - PAD.bottom;
  const x = (t: number) => PAD.left + ((t - o.range.start) / (o.range.end - o.range.start)) * w;
  const y = (v: number) => PAD.top + h - ((v - yMin) / (yMax - yMin || 1)) * h;
  const parts: string[] = [];
  for (const band of o.bands) {
    const left = x(o.range.start + band.startS);
    const width = Math.max(2, x(o.range.start + band.endS) - left);
    parts.push(`<rect x="${f(left)}" y="${PAD.top}" width="${f(width)}" height="${h}" class="band"/>`);
    parts.push(`<text x="${f(left + 3)}" y="${PAD.top - 3}" class="band-label">${escapeXml(band.label)}</text>`);
  }
  for (const tick of ticks.filter((t) => t <= yMax)) {
    parts.push(`<line x1="${PAD.left}" x2="${PAD.left + w}" y1="${f(y(tick))}" y2="${f(y(tick))}" class="grid"/>`);
    parts.push(
      `<text x="${PAD.left - 4}" y="${f(y(tick) + 3)}" class="axis" text-anchor="end">${escapeXml(formatValue(tick, o.unit))}</text>`,
    );
  }
  const spanS = o.range.end - o.range.start;
  const every = [10, 15, 30, 60, 120, 300, 600].find((seconds) => spanS / seconds <= 8) ?? 1800;
  for (let t = 0; t <= spanS; t += every) {
    const label = `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`;
    parts.push(
      `<text x="${f(x(o.range.start + t))}" y="${o.height - 4}" class="axis" text-anchor="middle">${label}</text>`,
    );
  }
  plotted.forEach((s, index) => {
    const runs = segments(s.points, o.range.step);
    for (const run of runs) {
      const line = run.map(([t, v]) => `${f(x(t))},${f(y(Math.min(v, yMax)))}`).join(' ');
      if (o.stacked) {
        const below = (plotted[index - 1]?.points ?? []).filter(([t]) => t >= run[0]![0] && t <= run.at(-1)![0]);
        const base =
          below.length === run.length
            ? below.map(([t, v]) => `${f(x(t))},${f(y(v))}`).reverse()
            : [`${f(x(run.at(-1)![0]))},${f(y(0))}`, `${f(x(run[0]![0]))},${f(y(0))}`];
        parts.push(`<polygon points="${line} ${base.join(' ')}" fill="${s.color}" fill-opacity="0.35" stroke="none"/>`);
      }
      parts.push(`<polyline points="${line}" fill="none" stroke="${s.color}" stroke-width="1.4"/>`);
    }
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${o.width}" height="${o.height}" viewBox="0 0 ${o.width} ${o.height}">${parts.join('')}</svg>`;
}

/** Cumulative sums per timestamp, so each series is drawn on top of the ones before it. */
function stack(series: ChartSeries[], step: number): ChartSeries[] {
  const totals = new Map<number, number>();
  return series.map((s) => ({
    ...s,
    points: s.points.map(([t, v]) => {
      const key = Math.round(t / step);
      const total = (totals.get(key) ?? 0) + (Number.isFinite(v) ? v : 0);
      totals.set(key, total);
      return [t, total] as [number, number];
    }),
  }));
}

function segments(points: [number, number][], step: number): [number, number][][] {
  const runs: [number, number][][] = [];
  let run: [number, number][] = [];
  for (const point of points) {
    const previous = run.at(-1);
    if (!Number.isFinite(point[1]) || (previous && point[0] - previous[0] > step * 1.5)) {
      if (run.length > 0) runs.push(run);
      run = [];
    }
    if (Number.isFinite(point[1])) run.push(point);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

const f = (n: number) => n.toFixed(1);

export function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
