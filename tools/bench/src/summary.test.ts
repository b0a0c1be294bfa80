import { describe, expect, it } from 'vitest';
import type { RawResults } from './results.ts';
import type { ThroughputRound } from './scenarios/throughput.ts';
import { computeRatios, evaluateTargets, summariseThroughput } from './summary.ts';

function round(scenario: ThroughputRound['scenario'], roundNo: number, rps: number, cpuUs: number): ThroughputRound {
  return {
    tool: 'wrk',
    round: roundNo,
    scenario,
    requests: rps * 10,
    durationSeconds: 10,
    requestsPerSecond: rps,
    non2xx: 0,
    errors: 0,
    latencyMs: { p50: 1, p99: 5 },
    cpuSeconds: (rps * 10 * cpuUs) / 1e6,
    cpuMicrosPerRequest: cpuUs,
  };
}

const raw: RawResults = {
  rounds: [
    round('b', 1, 20_000, 30),
    round('c', 1, 5000, 200),
    round('d', 1, 11_000, 70),
    round('b', 2, 18_000, 31),
    round('c', 2, 6000, 190),
    round('d', 2, 13_000, 90),
    round('b', 3, 22_000, 29),
    round('c', 3, 5500, 210),
    round('d', 3, 12_000, 75),
    round('j', 1, 18_000, 95),
  ],
  stampede: { requests: 1000, statuses: { 200: 1000 }, keystoreLookups: 1 },
  notes: [],
  skipped: { a: 'test' },
};

describe('summaries', () => {
  const summary = summariseThroughput(raw);

  it('takes medians per scenario over the interleaved rounds', () => {
    expect(summary.a).toBeUndefined();
    expect(summary.d).toMatchObject({
      rounds: 3,
      medianRps: 12_000,
      minRps: 11_000,
      maxRps: 13_000,
      medianCpuMicrosPerRequest: 75,
    });
  });

  it('computes ratios from medians, NaN where a side is missing', () => {
    const ratios = computeRatios(summary);
    expect(ratios.throughputDOverC).toBeCloseTo(12_000 / 5500);
    expect(ratios.throughputDOverB).toBeCloseTo(0.6);
    expect(ratios.cpuDOverB).toBeCloseTo(2.5);
    expect(ratios.throughputDOverA).toBeNaN();
    expect(ratios.throughputJOverD).toBeCloseTo(1.5);
    expect(ratios.throughputJOverB).toBeCloseTo(0.9);
  });

  it('judges each target, and leaves unmeasured ones open', () => {
    const targets = evaluateTargets(raw, summary, computeRatios(summary));
    const met = Object.fromEntries(targets.map((target) => [target.id, target.met]));
    expect(met).toEqual({
      'cpu-d': true,
      'd-over-c': true,
      'd-over-b': true,
      'added-p50': null,
      'added-p99': null,
      'miss-p50': null,
      'revocation-p99': null,
      rss: null,
      stampede: true,
    });
  });
});
