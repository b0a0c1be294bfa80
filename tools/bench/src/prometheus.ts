/**
 * Sum of every sample of one metric in Prometheus text format, across all
 * label sets (`name 3` and `name{outcome="hit"} 2` → 5); 0 when it is
 * declared (`# TYPE`) with no samples yet. NaN when the metric is absent, so
 * "not exported" is never mistaken for zero.
 */
export function sumMetric(text: string, name: string): number {
  let total = 0;
  let found = false;
  for (const line of text.split('\n')) {
    // A labelled counter with no samples yet exports only HELP and TYPE: that is zero, not absent.
    if (line.startsWith(`# TYPE ${name} `)) found = true;
    if (!line.startsWith(name)) continue;
    const next = line[name.length];
    if (next !== ' ' && next !== '{') continue;
    const afterLabels = next === '{' ? line.slice(line.lastIndexOf('}') + 1) : line.slice(name.length);
    const value = Number(afterLabels.trim().split(/\s+/)[0]);
    if (!Number.isFinite(value)) continue;
    total += value;
    found = true;
  }
  return found ? total : Number.NaN;
}
