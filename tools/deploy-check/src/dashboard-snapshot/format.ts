/** A value in a Grafana unit (the subset the dashboard uses), short enough for an axis label. */
export function formatValue(value: number, unit = 'none'): string {
  if (!Number.isFinite(value)) return '–';
  switch (unit) {
    case 'percentunit':
      return `${trim(value * 100)}%`;
    case 's':
      if (value === 0) return '0 s';
      if (Math.abs(value) < 0.001) return `${trim(value * 1e6)} µs`;
      if (Math.abs(value) < 1) return `${trim(value * 1000)} ms`;
      return `${trim(value)} s`;
    case 'bytes':
      return binary(value);
    case 'reqps':
      return `${si(value)} req/s`;
    case 'ops':
      return `${si(value)}/s`;
    default:
      return si(value);
  }
}

function trim(value: number): string {
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return String(Number(value.toFixed(digits)));
}

function si(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e3) return `${trim(value / 1e3)}k`;
  return trim(value);
}

function binary(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let scaled = value;
  let index = 0;
  while (Math.abs(scaled) >= 1024 && index < units.length - 1) {
    scaled /= 1024;
    index++;
  }
  return `${trim(scaled)} ${units[index]}`;
}

/** Grafana's legend format: `{{label}}` replaced by the series' label value. */
export function legendOf(format: string | undefined, metric: Record<string, string>): string {
  if (!format) return Object.keys(metric).length === 0 ? 'value' : JSON.stringify(metric);
  return format.replaceAll(/\{\{\s*(\w+)\s*\}\}/g, (_all, name: string) => metric[name] ?? '');
}

/** Four or five round axis ticks from `min` to at least `max`. */
export function niceTicks(min: number, wanted: number): number[] {
  // A flat series (all zero, say) still gets an axis.
  const max = wanted > min ? wanted : min + 1;
  const span = max - min;
  const raw = span / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= raw) ?? raw;
  const ticks: number[] = [];
  for (let tick = Math.floor(min / step) * step; tick <= max + step * 0.999; tick += step)
    ticks.push(Number(tick.toPrecision(12)));
  return ticks;
}
