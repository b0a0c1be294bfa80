import { describe, expect, it } from 'vitest';
import type { RawResults } from './results.ts';
import { computeRatios, RATIO_SPECS, summariseThroughput } from './summary.ts';
import { round } from './testing/rounds.ts';

const raw: RawResults = {
  rounds: [
    round('b', 1, 20_000, 30),
    round('l', 1, 6000, 160),
    round('d', 1, 3000, 320),
    round('b', 2, 18_000, 31),
    round('l', 2, 5000, 200),
    round('d', 2, 4000, 250),
    round('b', 3, 22_000, 29),
    round('l', 3, 5500, 180),
    round('d', 3, 3300, 300),
    round('k', 3, 7000, 150),
  ],
  cacheMiss: [],
  revocation: [],
  notes: [],
  skipped: { a: 'test' },
};

describe('summariseThroughput', () => {
  it('takes medians per scenario over the interleaved rounds', () => {
    const summary = summariseThroughput(raw);
    expect(summary.a).toBeUndefined();
    expect(summary.d).toMatchObject({
      rounds: 3,
      medianRps: 3300,
      minRps: 3000,
      maxRps: 4000,
      medianCpuMicrosPerRequest: 300,
    });
  });
});

describe('computeRatios', () => {
  const ratios = computeRatios(raw.rounds);

  it('pairs the two scenarios within each round, then takes the median of the rounds', () => {
    const throughput = ratios['rps:d/l'];
    expect(throughput?.perRound).toEqual([0.5, 0.8, 0.6]);
    expect(throughput?.median).toBeCloseTo(0.6);
    // Not the ratio of the medians (3300 / 5500 = 0.6 here by chance, so check CPU, where they differ).
    const cpu = ratios['cpu:d/l'];
    expect(cpu?.perRound).toEqual([2, 1.25, 300 / 180]);
    expect(cpu?.median).toBeCloseTo(300 / 180);
  });

  it('leaves a round without one of the two scenarios as NaN, and a never-run pair NaN throughout', () => {
    expect(ratios['cpu:d/k']?.perRound.slice(0, 2)).toEqual([Number.NaN, Number.NaN]);
    expect(ratios['cpu:d/k']?.median).toBeCloseTo(2);
    expect(ratios['rps:d/m']?.median).toBeNaN();
  });

  it('computes every ratio the report prints, keyed by measure and scenario pair', () => {
    expect(Object.keys(ratios)).toEqual(RATIO_SPECS.map((spec) => spec.id));
    expect(Object.keys(ratios)).toEqual(
      expect.arrayContaining(['rps:d/l', 'cpu:n/l', 'rps:d/c', 'rps:d/b', 'cpu:d/k']),
    );
  });

  it('is empty of rounds for a run without throughput rounds', () => {
    expect(computeRatios([])['rps:d/l']).toMatchObject({ perRound: [], median: Number.NaN });
  });
});
