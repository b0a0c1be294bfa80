/** The value of the first sample of `name` (with exactly these labels, when given) in Prometheus text format. */
export function metricValue(text: string, name: string, labels = ''): number | null {
  const prefix = labels === '' ? `${name} ` : `${name}{${labels}} `;
  for (const line of text.split('\n')) {
    if (line.startsWith(prefix)) {
      const value = Number(line.slice(prefix.length).split(' ')[0]);
      return Number.isFinite(value) ? value : null;
    }
  }
  return null;
}
