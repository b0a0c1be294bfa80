import { Counter, type Registry } from 'prom-client';

/** One label combination of a HotCounter: what the hot path holds and increments. */
export interface HotChild {
  inc(by?: number): void;
}

class Child implements HotChild {
  value = 0;
  readonly labels: Record<string, string>;

  constructor(labels: Record<string, string>) {
    this.labels = labels;
  }

  inc(by = 1): void {
    this.value += by;
  }
}

/**
 * A counter whose per-request cost is one addition to a plain field. A
 * prom-client child's `inc()` hashes its label set on every call (about
 * 0.05 µs each, several per request); here the values are copied into an
 * ordinary prom-client Counter only when it is scraped (its `collect`), so
 * the exposition, the cluster aggregation and every reader stay prom-client's.
 */
export class HotCounter<L extends string> {
  readonly #labelNames: readonly L[];
  readonly #children = new Map<string, Child>();

  constructor(options: { name: string; help: string; labelNames: readonly L[]; registry: Registry }) {
    this.#labelNames = options.labelNames;
    const children = this.#children;
    new Counter({
      name: options.name,
      help: options.help,
      labelNames: options.labelNames,
      registers: [options.registry],
      collect() {
        this.reset();
        for (const child of children.values()) this.inc(child.labels as Partial<Record<L, string>>, child.value);
      },
    });
  }

  /** The child for these label values, in `labelNames` order; resolve it once and keep it. */
  child(...values: string[]): HotChild {
    const key = values.join('\u0000');
    let child = this.#children.get(key);
    if (child === undefined) {
      const labels: Record<string, string> = {};
      this.#labelNames.forEach((name, i) => (labels[name] = values[i] ?? ''));
      child = new Child(labels);
      this.#children.set(key, child);
    }
    return child;
  }
}

/** One histogram's state: a count per bucket (not cumulative), the sum and the count. */
interface HistogramState {
  readonly buckets: readonly number[];
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * A histogram whose per-request cost is a short scan of its bucket bounds
 * and three additions, exposed as a prom-client metric (the same `get()`
 * shape prom-client's Histogram returns, cumulative `le` buckets, `_sum`,
 * `_count`), so the registry, `/metrics` and the cluster aggregation treat
 * it like any other.
 */
export class HotHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #state: HistogramState;

  constructor(options: { name: string; help: string; buckets: readonly number[]; registry: Registry }) {
    this.name = options.name;
    this.help = options.help;
    this.#state = { buckets: options.buckets, counts: new Float64Array(options.buckets.length + 1), sum: 0, count: 0 };
    // A structural stand-in for prom-client's Metric: the registry only calls get() (and reads name, help, type).
    options.registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  observe(value: number): void {
    const state = this.#state;
    const bounds = state.buckets;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    state.counts[i]! += 1;
    state.sum += value;
    state.count += 1;
  }

  async get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: { labels: Record<string, string | number>; value: number; metricName: string }[];
  }> {
    const { buckets, counts, sum, count } = this.#state;
    const values = [];
    let cumulative = 0;
    for (let i = 0; i < buckets.length; i++) {
      cumulative += counts[i]!;
      values.push({ labels: { le: buckets[i]! }, value: cumulative, metricName: `${this.name}_bucket` });
    }
    values.push({ labels: { le: '+Inf' }, value: count, metricName: `${this.name}_bucket` });
    values.push({ labels: {}, value: sum, metricName: `${this.name}_sum` });
    values.push({ labels: {}, value: count, metricName: `${this.name}_count` });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.#state.counts.fill(0);
    this.#state.sum = 0;
    this.#state.count = 0;
  }
}
