import type { PromqlReferences } from './promql-references.ts';

/** Per sample name (`x_bucket`, `y_total` …): its label names, each with the values seen. */
export type Exported = Map<string, Map<string, Set<string>>>;

/** Labels Prometheus adds to every series at scrape time: no app exports them. */
const TARGET_LABELS = new Set(['job', 'instance']);

/** The samples of a scrape in Prometheus text format (comments and HELP/TYPE lines skipped). */
export function parseExposition(text: string, into: Exported = new Map()): Exported {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? \S+/.exec(line);
    if (!match) continue;
    let labels = into.get(match[1]!);
    if (!labels) into.set(match[1]!, (labels = new Map()));
    for (const [, name, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      let values = labels.get(name!);
      if (!values) labels.set(name!, (values = new Set()));
      values.add(value!);
    }
  }
  return into;
}

/**
 * What an expression asks for that the scrape does not have: a metric with
 * no sample, a label it never carries, a value it never takes (checked for
 * `=`/`!=` and for `=~`/`!~` alternations of plain words; Grafana variables
 * skipped), or a `by` label none of the aggregated metrics has.
 */
export function missingReferences(refs: PromqlReferences, exported: Exported): string[] {
  const missing: string[] = [];
  for (const { metric, matchers } of refs.selectors) {
    const labels = exported.get(metric);
    if (!labels) {
      missing.push(`metric ${metric}`);
      continue;
    }
    for (const { label, op, value } of matchers) {
      if (TARGET_LABELS.has(label)) continue;
      const values = labels.get(label);
      if (!values) {
        missing.push(`label ${label} on ${metric}`);
        continue;
      }
      if (value.includes('$')) continue;
      const wanted = op === '=' || op === '!=' ? [value] : /^\w+(\|\w+)*$/.test(value) ? value.split('|') : [];
      for (const one of wanted) if (!values.has(one)) missing.push(`${metric}{${label}="${one}"}`);
    }
  }
  for (const { labels, selectors } of refs.groupings) {
    for (const label of labels) {
      if (TARGET_LABELS.has(label)) continue;
      if (!selectors.some(({ metric }) => exported.get(metric)?.has(label)))
        missing.push(`by (${label}) over ${selectors.map(({ metric }) => metric).join(', ')}`);
    }
  }
  return missing;
}
