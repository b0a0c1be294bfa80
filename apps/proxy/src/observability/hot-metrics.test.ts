import { AggregatorRegistry, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HotCounter, HotHistogram } from './hot-metrics.ts';

const BUCKETS = [0.001, 0.01, 0.1];

describe('HotCounter', () => {
  it('exposes what its children counted, per label set, as a prom-client counter', async () => {
    const registry = new Registry();
    const counter = new HotCounter({ name: 'x_total', help: 'x', labelNames: ['decision', 'store'], registry });
    const allowed = counter.child('allowed', 'redis');
    allowed.inc();
    allowed.inc();
    counter.child('limited', 'memory').inc(3);
    expect(counter.child('allowed', 'redis')).toBe(allowed);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE x_total counter');
    expect(text).toContain('x_total{decision="allowed",store="redis"} 2');
    expect(text).toContain('x_total{decision="limited",store="memory"} 3');
    allowed.inc();
    expect(await registry.metrics()).toContain('x_total{decision="allowed",store="redis"} 3');
  });
});

describe('HotHistogram', () => {
  it("reads exactly like prom-client's own histogram fed the same values", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const hot = new HotHistogram({ name: 'd_seconds', help: 'd', buckets: BUCKETS, registry: ours });
    const reference = new Histogram({ name: 'd_seconds', help: 'd', buckets: BUCKETS, registers: [theirs] });
    for (const value of [0.0005, 0.001, 0.002, 0.05, 0.5, 3]) {
      hot.observe(value);
      reference.observe(value);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('sums across cluster workers like any prom-client metric', async () => {
    const worker = async (values: number[]) => {
      const registry = new Registry();
      const hot = new HotHistogram({ name: 'd_seconds', help: 'd', buckets: BUCKETS, registry });
      for (const value of values) hot.observe(value);
      return registry.getMetricsAsJSON();
    };
    const merged = AggregatorRegistry.aggregate([await worker([0.0005, 0.05]), await worker([0.05])]);
    const text = await merged.metrics();
    expect(text).toContain('d_seconds_bucket{le="0.1"} 3');
    expect(text).toContain('d_seconds_bucket{le="0.001"} 1');
    expect(text).toContain('d_seconds_count 3');
  });
});
