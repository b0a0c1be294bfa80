import { describe, expect, it } from 'vitest';
import { summariseRevocations } from './revocation.ts';

describe('summariseRevocations', () => {
  it('takes percentiles of the samples that saw a 401', () => {
    const summary = summariseRevocations([4, 8, 6, 10]);
    expect(summary).toMatchObject({ samplesMs: [4, 8, 6, 10], timeouts: 0, max: 10 });
    expect(summary.p50).toBeCloseTo(7);
    expect(summary.p99).toBeCloseTo(9.94);
  });

  it('counts a proxy that never said 401 as the give-up time, so it fails a p99 target', () => {
    const summary = summariseRevocations([5, Number.NaN, 6]);
    expect(summary.samplesMs).toEqual([5, 6]);
    expect(summary.timeouts).toBe(1);
    expect(summary.max).toBe(2000);
    expect(summary.p99).toBeGreaterThan(100);
  });

  it('is NaN throughout with no samples (one replica has none across replicas)', () => {
    expect(summariseRevocations([])).toMatchObject({ samplesMs: [], timeouts: 0, p50: Number.NaN, max: Number.NaN });
  });
});
