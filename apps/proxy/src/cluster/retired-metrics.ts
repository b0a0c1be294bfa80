/**
 * One metric as a worker's `registry.getMetricsAsJSON()` gives it, after
 * the IPC trip: plain data, `type` a string (`'counter'`, …) whatever
 * prom-client's typings say.
 */
export interface MetricJson {
  name: string;
  help: string;
  type: string;
  aggregator?: string;
  values: MetricSample[];
}

export interface MetricSample {
  value: number;
  labels: Record<string, string | number>;
  /** Histograms: `…_bucket`, `…_sum`, `…_count`. */
  metricName?: string;
}

/** What keeps counting after its process is gone: a counter, and every series of a histogram. */
const MONOTONIC: ReadonlySet<string> = new Set(['counter', 'histogram']);

interface Kept {
  name: string;
  help: string;
  type: string;
  samples: Map<string, MetricSample>;
}

/**
 * The counts of workers that died, so the primary's sums never go down.
 * A cluster's counter is the sum of its workers' counters; when a worker
 * dies and a new one starts from zero, a sum of the live workers alone
 * drops, and Prometheus reads a drop as a counter reset (rate() and
 * increase() spike). Kept here: each dead worker's counters and histograms
 * as last scraped, added into every later scrape. What it counted after
 * that scrape is lost (it was never published either). Gauges are a
 * process's present state, so a dead worker's gauges are dropped; so are
 * summaries, whose quantiles do not add up.
 */
export class RetiredMetrics {
  readonly #metrics = new Map<string, Kept>();

  /** Adds one dead worker's last scrape. */
  retire(lastScrape: readonly MetricJson[]): void {
    for (const metric of lastScrape) {
      if (!MONOTONIC.has(metric.type)) continue;
      let kept = this.#metrics.get(metric.name);
      if (kept === undefined) {
        kept = { name: metric.name, help: metric.help, type: metric.type, samples: new Map() };
        this.#metrics.set(metric.name, kept);
      }
      for (const sample of metric.values) {
        const key = seriesKey(sample);
        const before = kept.samples.get(key)?.value ?? 0;
        kept.samples.set(key, { ...sample, value: before + sample.value });
      }
    }
  }

  /** Everything retired so far, in the same shape, to aggregate beside the live workers' scrapes (summed). */
  snapshot(): MetricJson[] {
    return [...this.#metrics.values()].map((kept) => ({
      name: kept.name,
      help: kept.help,
      type: kept.type,
      aggregator: 'sum',
      values: [...kept.samples.values()].map((sample) => ({ ...sample, labels: { ...sample.labels } })),
    }));
  }
}

function seriesKey(sample: MetricSample): string {
  const labels = Object.keys(sample.labels)
    .sort()
    .map((name) => [name, sample.labels[name]]);
  return JSON.stringify([sample.metricName ?? '', labels]);
}
