import { describe, expect, it } from 'vitest';
import { addedOver, type LatencySide } from './added-latency.ts';

const side = (p50: number[], p99: number[]): LatencySide => ({
  p50,
  p99,
  requests: 0,
  non2xx: 0,
  requestsPerSecond: [],
});

describe('addedOver', () => {
  it("is each side's median minus direct's, per percentile", () => {
    const added = addedOver({
      direct: side([0.5, 0.4, 0.6], [2, 3, 4]),
      floor: side([0.8, 0.9, 0.7], [3, 3, 3]),
      proxy: side([2, 2.1, 1.9], [5, 9, 6]),
    });
    expect(added['floor']?.p50).toBeCloseTo(0.3);
    expect(added['floor']?.p99).toBeCloseTo(0);
    expect(added['proxy']?.p50).toBeCloseTo(1.5);
    expect(added['proxy']?.p99).toBeCloseTo(3);
    expect(added['floor+evalsha']).toBeUndefined();
    expect(added['proxy-leases-off']).toBeUndefined();
  });

  it('measures the leases-off proxy (o) as one more side against direct', () => {
    const added = addedOver({
      direct: side([0.5], [2]),
      proxy: side([0.9], [3]),
      'proxy-leases-off': side([1.6], [4.5]),
    });
    expect(added['proxy-leases-off']?.p50).toBeCloseTo(1.1);
    expect(added['proxy-leases-off']?.p99).toBeCloseTo(2.5);
    expect(added['proxy']?.p50).toBeCloseTo(0.4);
  });

  it('is NaN without the direct side', () => {
    expect(addedOver({ proxy: side([1], [2]) })['proxy']?.p50).toBeNaN();
  });
});
