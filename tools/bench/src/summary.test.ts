import { describe, expect, it } from 'vitest';
import type { RawResults } from './results.ts';
import { computeRatios, RATIO_SPECS, summariseThroughput } from './summary.ts';
import { round } from './testing/rounds.ts';

const raw: RawResults = {
  rounds: [
    round('nginx', 1, 20_000, 30),
    round('floor+evalsha', 1, 6000, 160),
    round('proxy', 1, 3000, 320),
    round('nginx', 2, 18_000, 31),
    round('floor+evalsha', 2, 5000, 200),
    round('proxy', 2, 4000, 250),
    round('nginx', 3, 22_000, 29),
    round('floor+evalsha', 3, 5500, 180),
    round('proxy', 3, 3300, 300),
    round('floor', 3, 7000, 150),
  ],
  cacheMiss: [],
  revocation: [],
  notes: [],
  skipped: { direct: 'test' },
};

describe('summariseThroughput', () => {
  it('takes medians per scenario over the interleaved rounds', () => {
    const summary = summariseThroughput(raw);
    expect(summary['direct']).toBeUndefined();
    expect(summary['proxy']).toMatchObject({
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
    const throughput = ratios['rps:proxy/floor+evalsha'];
    expect(throughput?.perRound).toEqual([0.5, 0.8, 0.6]);
    expect(throughput?.median).toBeCloseTo(0.6);
    // Not the ratio of the medians (3300 / 5500 = 0.6 here by chance, so check CPU, where they differ).
    const cpu = ratios['cpu:proxy/floor+evalsha'];
    expect(cpu?.perRound).toEqual([2, 1.25, 300 / 180]);
    expect(cpu?.median).toBeCloseTo(300 / 180);
  });

  it('leaves a round without one of the two scenarios as NaN, and a never-run pair NaN throughout', () => {
    expect(ratios['cpu:proxy/floor']?.perRound.slice(0, 2)).toEqual([Number.NaN, Number.NaN]);
    expect(ratios['cpu:proxy/floor']?.median).toBeCloseTo(2);
    expect(ratios['rps:proxy/fastify']?.median).toBeNaN();
  });

  it('computes every ratio the report prints, keyed by measure and scenario pair', () => {
    expect(Object.keys(ratios)).toEqual(RATIO_SPECS.map((spec) => spec.id));
    expect(Object.keys(ratios)).toEqual(
      expect.arrayContaining([
        'rps:proxy/floor+evalsha',
        'cpu:proxy-info/floor+evalsha',
        'rps:proxy/naive',
        'rps:proxy/nginx',
        'cpu:proxy/floor',
      ]),
    );
  });

  it('prints each leases-off ratio right before its leases-on twin, and what leases save', () => {
    const ids = RATIO_SPECS.map((spec) => spec.id);
    for (const [off, on] of [
      ['rps:proxy-leases-off/floor+evalsha', 'rps:proxy/floor+evalsha'],
      ['cpu:proxy-leases-off/floor+evalsha', 'cpu:proxy/floor+evalsha'],
      ['cpu:proxy-info-leases-off/floor+evalsha', 'cpu:proxy-info/floor+evalsha'],
      ['rps:proxy-leases-off/fastify', 'rps:proxy/fastify'],
      ['rps:proxy-leases-off/naive', 'rps:proxy/naive'],
    ] as const) {
      expect(ids.indexOf(on) - ids.indexOf(off), `${off} before ${on}`).toBe(1);
    }
    expect(ids).toEqual(
      expect.arrayContaining([
        'rps:proxy/proxy-leases-off',
        'cpu:proxy/proxy-leases-off',
        'cpu:proxy-info-leases-off/proxy-leases-off',
        'cpu:proxy-info/proxy',
      ]),
    );
    const rounds = [
      round('proxy-leases-off', 1, 4000, 250),
      round('proxy', 1, 6000, 150),
      round('floor+evalsha', 1, 5000, 200),
    ];
    const ratios = computeRatios(rounds);
    expect(ratios['rps:proxy-leases-off/floor+evalsha']?.median).toBeCloseTo(0.8);
    expect(ratios['cpu:proxy-leases-off/floor+evalsha']?.median).toBeCloseTo(1.25);
    expect(ratios['rps:proxy/proxy-leases-off']?.median).toBeCloseTo(1.5);
    expect(ratios['cpu:proxy/proxy-leases-off']?.median).toBeCloseTo(0.6);
  });

  it('is empty of rounds for a run without throughput rounds', () => {
    expect(computeRatios([])['rps:proxy/floor+evalsha']).toMatchObject({ perRound: [], median: Number.NaN });
  });
});
