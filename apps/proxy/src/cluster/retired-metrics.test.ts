import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RetiredMetrics, type MetricJson } from './retired-metrics.ts';

/** A worker's registry with one metric of each kind, as the primary receives it (JSON through IPC). */
function worker() {
  const registry = new Registry();
  const requests = new Counter({
    name: 'requests_total',
    help: 'r',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const duration = new Histogram({ name: 'duration_seconds', help: 'd', buckets: [0.1, 1], registers: [registry] });
  const inFlight = new Gauge({ name: 'in_flight', help: 'i', registers: [registry] });
  const sizes = new Summary({ name: 'sizes', help: 's', percentiles: [0.5], registers: [registry] });
  inFlight.set(5);
  const scrape = async () => JSON.parse(JSON.stringify(await registry.getMetricsAsJSON())) as MetricJson[];
  return { requests, duration, inFlight, sizes, scrape };
}

async function sample(scrapes: MetricJson[][], name: string, labels: Record<string, string> = {}) {
  const text = await AggregatorRegistry.aggregate(scrapes).metrics();
  const wanted = Object.entries(labels)
    .map(([label, value]) => `${label}="${value}"`)
    .join(',');
  const line = text.split('\n').find((l) => l.startsWith(wanted === '' ? `${name} ` : `${name}{${wanted}}`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('RetiredMetrics', () => {
  it('keeps a dead worker’s counters and histograms in the sums, so they never go down', async () => {
    const [a, b] = [worker(), worker()];
    a.requests.inc({ outcome: 'ok' }, 5);
    a.duration.observe(0.05);
    b.requests.inc({ outcome: 'ok' }, 3);
    b.requests.inc({ outcome: 'unauthorized' }, 2);
    const lastOfA = await a.scrape();
    const before = await sample([lastOfA, await b.scrape()], 'requests_total', { outcome: 'ok' });
    expect(before).toBe(8);

    const retired = new RetiredMetrics();
    retired.retire(lastOfA);
    const replacement = worker();
    replacement.requests.inc({ outcome: 'ok' });
    const after = [await b.scrape(), await replacement.scrape(), retired.snapshot()];
    expect(await sample(after, 'requests_total', { outcome: 'ok' })).toBe(9);
    expect(await sample(after, 'requests_total', { outcome: 'unauthorized' })).toBe(2);
    expect(await sample(after, 'duration_seconds_count')).toBe(1);
    expect(await sample(after, 'duration_seconds_bucket', { le: '0.1' })).toBe(1);
    // Without the retired counts the sum would have dropped from 8 to 4: a counter reset to Prometheus.
    expect(await sample(after.slice(0, 2), 'requests_total', { outcome: 'ok' })).toBe(4);
  });

  it('adds up several dead workers, label set by label set', async () => {
    const retired = new RetiredMetrics();
    for (const count of [1, 2, 4]) {
      const dead = worker();
      dead.requests.inc({ outcome: 'ok' }, count);
      dead.duration.observe(2);
      retired.retire(await dead.scrape());
    }
    const snapshot = retired.snapshot();
    expect(await sample([snapshot], 'requests_total', { outcome: 'ok' })).toBe(7);
    expect(await sample([snapshot], 'duration_seconds_bucket', { le: '+Inf' })).toBe(3);
    expect(await sample([snapshot], 'duration_seconds_bucket', { le: '1' })).toBe(0);
    expect(await sample([snapshot], 'duration_seconds_sum')).toBe(6);
  });

  it('drops a dead worker’s gauges and summaries: they describe a process that is gone', async () => {
    const dead = worker();
    dead.sizes.observe(10);
    const retired = new RetiredMetrics();
    retired.retire(await dead.scrape());
    expect(retired.snapshot().map((metric) => metric.name)).toEqual(['requests_total', 'duration_seconds']);
    const live = worker();
    live.inFlight.set(1);
    expect(await sample([await live.scrape(), retired.snapshot()], 'in_flight')).toBe(1);
  });
});
