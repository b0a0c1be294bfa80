import type { Dashboard, Panel } from '../monitoring/monitoring-files.ts';
import { chartSvg, escapeXml, type ChartSeries } from './chart.ts';
import { formatValue, legendOf } from './format.ts';
import type { Series } from './prometheus-server.ts';

export interface PanelData {
  /** Per target, in the panel's order: what Prometheus answered for its expression. */
  targets: Series[][];
}

export interface PageInput {
  dashboard: Dashboard;
  data: Map<number, PanelData>;
  range: { start: number; end: number; step: number };
  bands: { label: string; startS: number; endS: number }[];
  subtitle: string;
  /** Page width in CSS pixels: 24 grid columns. */
  width?: number;
}

const PALETTE = [
  '#73BF69',
  '#F2CC0C',
  '#5794F2',
  '#FF9830',
  '#F2495C',
  '#B877D9',
  '#8AB8FF',
  '#FADE2A',
  '#37872D',
  '#C4162A',
];
const NAMED: Record<string, string> = { green: '#73BF69', red: '#F2495C', orange: '#FF9830', blue: '#5794F2' };
const ROW_PX = 34;

/** The dashboard as one static HTML page laid out on Grafana's 24-column grid, every chart inline SVG. */
export function renderPage(input: PageInput): string {
  const width = input.width ?? 1600;
  const column = width / 24;
  const bottom = Math.max(...input.dashboard.panels.map((p) => p.gridPos.y + p.gridPos.h));
  const boxes = input.dashboard.panels.map((panel) => {
    const { x, y, w, h } = panel.gridPos;
    const style = `left:${x * column}px;top:${y * ROW_PX}px;width:${w * column - 8}px;height:${h * ROW_PX - 8}px`;
    if (panel.type === 'row') return `<div class="row" style="${style}">${escapeXml(panel.title)}</div>`;
    const body =
      panel.type === 'stat'
        ? stat(panel, input.data.get(panel.id))
        : timeseries(panel, input, w * column - 8 - 16, h * ROW_PX - 8 - 30 - 18);
    return `<div class="panel" style="${style}"><div class="title">${escapeXml(panel.title)}</div>${body}</div>`;
  });
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeXml(input.dashboard.title)}</title><style>${CSS}</style></head>
<body style="width:${width}px"><header><h1>${escapeXml(input.dashboard.title)}</h1><p>${escapeXml(input.subtitle)}</p></header>
<main style="height:${bottom * ROW_PX}px">${boxes.join('\n')}</main></body></html>`;
}

function stat(panel: Panel, data: PanelData | undefined): string {
  const series = data?.targets[0]?.[0];
  const value = series?.values.at(-1)?.[1] ?? Number.NaN;
  const defaults = panel.fieldConfig?.defaults;
  const mapped = defaults?.mappings?.flatMap((m) => Object.entries(m.options)).find(([key]) => Number(key) === value);
  const steps = defaults?.thresholds?.steps;
  const threshold = steps?.filter((s) => s.value === null || value >= s.value).at(-1)?.color;
  const color = NAMED[mapped?.[1].color ?? threshold ?? 'blue'] ?? '#5794F2';
  const text = mapped ? mapped[1].text : formatValue(value, defaults?.unit);
  return `<div class="stat" style="background:${color}">${escapeXml(text)}</div>`;
}

function timeseries(panel: Panel, input: PageInput, width: number, height: number): string {
  const data = input.data.get(panel.id);
  const series: ChartSeries[] = [];
  (panel.targets ?? []).forEach((target, index) => {
    const results = [...(data?.targets[index] ?? [])].map((s) => ({
      name: legendOf(target.legendFormat, s.metric),
      s,
    }));
    results.sort((a, b) => a.name.localeCompare(b.name));
    for (const { name, s } of results)
      series.push({ name, color: PALETTE[series.length % PALETTE.length]!, points: s.values });
  });
  const defaults = panel.fieldConfig?.defaults;
  const svg = chartSvg(series, {
    width,
    height,
    range: input.range,
    unit: defaults?.unit,
    min: defaults?.min,
    max: defaults?.max,
    stacked: defaults?.custom?.stacking?.mode === 'normal',
    bands: input.bands,
  });
  const legend =
    series.length === 0
      ? '<span class="none">no data</span>'
      : series.map((s) => `<span><i style="background:${s.color}"></i>${escapeXml(s.name)}</span>`).join('');
  return `${svg}<div class="legend">${legend}</div>`;
}

const CSS = `
body{margin:0;padding:12px 16px 16px;background:#111217;color:#ccccdc;font:12px/1.3 Inter,"Helvetica Neue",Arial,sans-serif}
header h1{font-size:18px;margin:0 0 2px;font-weight:500;color:#fff}header p{margin:0 0 10px;color:#9fa7b3}
main{position:relative}
.row{position:absolute;font-size:14px;font-weight:500;color:#d8d9da;padding-top:8px}
.panel{position:absolute;background:#181b1f;border:1px solid #2c3235;border-radius:3px;padding:6px 8px;box-sizing:border-box;overflow:hidden}
.title{font-weight:500;color:#d8d9da;margin-bottom:4px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.stat{display:flex;align-items:center;justify-content:center;height:calc(100% - 22px);border-radius:2px;color:#fff;font-size:26px;font-weight:500}
.legend{display:flex;flex-wrap:wrap;gap:2px 10px;font-size:11px;color:#9fa7b3;height:18px;overflow:hidden}
.legend i{display:inline-block;width:10px;height:3px;margin-right:4px;vertical-align:middle}
.none{color:#6e7681}
svg .grid{stroke:#2c3235;stroke-width:1}svg .axis{fill:#8e8e8e;font-size:10px}
svg .band{fill:#ff9830;fill-opacity:.09}svg .band-label{fill:#ff9830;font-size:9px}
`;
