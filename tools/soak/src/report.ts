import type { FaultWindow } from './faults.ts';
import type { SoakOptions } from './options.ts';
import type { Sample } from './sampler.ts';

export interface SoakReport {
  options: SoakOptions;
  startedAt: string;
  redis: boolean;
  faults: FaultWindow[];
  samples: Sample[];
  totals: { ok: number; refused: number; unexpected: Record<string, number> };
  /** Null while it ran to the end; otherwise why the proxy is gone. */
  proxyDied: string | null;
}

type Series = { title: string; unit: string; value: (s: Sample) => number | null };

const SERIES: Series[] = [
  { title: 'Proxy RSS', unit: 'MiB', value: (s) => s.rssMb },
  { title: 'Proxy open file descriptors', unit: 'fds', value: (s) => s.openFds },
  { title: 'Proxy event-loop lag (p99)', unit: 'ms', value: (s) => s.lagP99Ms },
  { title: 'Client latency (p99 per interval)', unit: 'ms', value: (s) => s.latencyP99Ms },
  { title: 'Answers per second', unit: 'req/s', value: (s) => s.rps },
  { title: 'Unexpected answers per interval', unit: 'count', value: (s) => s.unexpected },
];
const FAULT_COLOURS: Record<string, string> = {
  'keystore paused': '#fde2e2',
  'keystore restarted': '#f5b7b1',
  'redis paused': '#d6eaf8',
  'redis restarted': '#aed6f1',
};
const W = 860;
const H = 170;
const PAD = { left: 56, right: 12, top: 10, bottom: 24 };

const escape = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const round = (n: number) => Math.round(n * 10) / 10;

/** One line chart as inline SVG, fault windows shaded behind it. */
export function chart(
  series: Series,
  samples: readonly Sample[],
  faults: readonly FaultWindow[],
  endS: number,
): string {
  const points = samples.flatMap((s) => {
    const v = series.value(s);
    return v === null ? [] : [{ t: s.t, v }];
  });
  // At least 1, so an all-zero series (no unexpected answers) gets a readable axis.
  const maxV = Math.max(1, ...points.map((p) => p.v)) * 1.1;
  const spanS = Math.max(1, endS);
  const x = (t: number) => round(PAD.left + (t / spanS) * (W - PAD.left - PAD.right));
  const y = (v: number) => round(H - PAD.bottom - (v / maxV) * (H - PAD.top - PAD.bottom));
  const bands = faults
    .map((f) => {
      const width = Math.max(2, x(f.endS) - x(f.startS));
      const colour = FAULT_COLOURS[f.kind] ?? '#eee';
      return `<rect x="${x(f.startS)}" y="${PAD.top}" width="${round(width)}" height="${H - PAD.top - PAD.bottom}" fill="${colour}"><title>${escape(f.kind)}</title></rect>`;
    })
    .join('');
  const line = points.map((p) => `${x(p.t)},${y(p.v)}`).join(' ');
  const ticks = [0, 0.5, 1]
    .map(
      (f) =>
        `<text x="${PAD.left - 6}" y="${y(maxV * f * (1 / 1.1)) + 4}" text-anchor="end">${round(maxV * f * (1 / 1.1))}</text>`,
    )
    .join('');
  const timeTicks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const anchor = f === 0 ? 'start' : f === 1 ? 'end' : 'middle';
      return `<text x="${x(spanS * f)}" y="${H - 6}" text-anchor="${anchor}">${Math.round(spanS * f)} s</text>`;
    })
    .join('');
  return (
    `<figure><figcaption>${escape(series.title)} (${escape(series.unit)})</figcaption>` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-size="11" font-family="sans-serif">` +
    `${bands}<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#999"/>` +
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" stroke="#999"/>${ticks}${timeTicks}` +
    `<polyline fill="none" stroke="#1f5fa8" stroke-width="1.5" points="${line}"/></svg></figure>`
  );
}

/** A self-contained page: summary, legend, one chart per series. No scripts, no CDN. */
export function renderHtml(report: SoakReport): string {
  const endS = Math.max(report.options.minutes * 60, ...report.samples.map((s) => s.t));
  const unexpected = Object.entries(report.totals.unexpected);
  const legend = Object.entries(FAULT_COLOURS)
    .map(([kind, colour]) => `<span class="key" style="background:${colour}"></span>${escape(kind)}`)
    .join(' ');
  const faultRows = report.faults
    .map((f) => `<tr><td>${escape(f.kind)}</td><td>${round(f.startS)} s</td><td>${round(f.endS)} s</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>RouteMCP proxy soak ${escape(report.startedAt)}</title>
<style>body{font-family:sans-serif;margin:24px;color:#222}figure{margin:12px 0}figcaption{font-weight:bold;margin-bottom:4px}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}.key{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}</style>
</head><body>
<h1>Proxy soak — ${escape(report.startedAt)}</h1>
<p>${report.options.minutes} min at ${report.options.rate} req/s, ${report.options.invalidPercent} % invalid keys, Redis ${report.redis ? 'on' : 'off'}.
Proxy ${report.proxyDied === null ? 'stayed up' : `<strong>died: ${escape(report.proxyDied)}</strong>`}.</p>
<table><tr><th>valid key → 200</th><th>invalid key refused</th><th>unexpected</th></tr>
<tr><td>${report.totals.ok}</td><td>${report.totals.refused}</td><td>${unexpected.length === 0 ? 0 : escape(unexpected.map(([k, n]) => `${k}: ${n}`).join(', '))}</td></tr></table>
<h2>Faults</h2><table><tr><th>fault</th><th>from</th><th>to</th></tr>${faultRows}</table>
<p>Shaded: ${legend}</p>
${SERIES.map((s) => chart(s, report.samples, report.faults, endS)).join('\n')}
</body></html>
`;
}
