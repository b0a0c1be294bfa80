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
      a: side([0.5, 0.4, 0.6], [2, 3, 4]),
      k: side([0.8, 0.9, 0.7], [3, 3, 3]),
      d: side([2, 2.1, 1.9], [5, 9, 6]),
    });
    expect(added.k?.p50).toBeCloseTo(0.3);
    expect(added.k?.p99).toBeCloseTo(0);
    expect(added.d?.p50).toBeCloseTo(1.5);
    expect(added.d?.p99).toBeCloseTo(3);
    expect(added.l).toBeUndefined();
  });

  it('is NaN without the direct side', () => {
    expect(addedOver({ d: side([1], [2]) }).d?.p50).toBeNaN();
  });
});
