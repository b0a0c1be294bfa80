import { describe, expect, it } from 'vitest';
import type { MachineInfo } from './machine-info.ts';
import { parseOptions, type BenchOptions } from './options.ts';
import { buildReport, reportJson, reportText } from './report.ts';
import type { RawResults } from './results.ts';
import { round } from './testing/rounds.ts';

const machine: MachineInfo = {
  os: 'Linux',
  cpuModel: 'test CPU',
  cpus: 2,
  totalMemoryMb: 1,
  freeMemoryMb: 1,
  loadAverage: [0, 0, 0],
  node: 'v24',
  nginx: null,
  redis: null,
  wrk: null,
  gitCommit: 'abcdef0123',
  gitDirty: false,
};

const options = parseOptions(['--only', 'd,l,n', '--rounds', '2'], new Date(0)) as BenchOptions;

const raw: RawResults = {
  rounds: [
    round('l', 1, 5000, 200),
    round('d', 1, 3000, 300),
    round('n', 1, 2500, 360),
    round('l', 2, 5000, 200),
    round('d', 2, 3500, 280),
    round('n', 2, 2600, 350),
  ],
  cacheMiss: [],
  revocation: [],
  notes: [],
  skipped: {},
};

describe('report', () => {
  const report = buildReport({ raw, options, machine, startedAt: new Date(0), finishedAt: new Date(1000) });

  it('prints the measured throughput rows, each ratio per round with its median, and targets by issue', () => {
    const text = reportText(report);
    expect(text).toMatch(/^d proxy, cache hit \+ Redis bucket \(warn\) +3250 +3000 +3500/m);
    expect(text).toMatch(/^n proxy as \(d\), LOG_LEVEL=info +2550/m);
    expect(text).not.toMatch(/^k /m);
    expect(text).toMatch(/^ratio +of +r1 +r2 +median$/m);
    expect(text).toMatch(/^req\/s d\/l +proxy \(warn\) ÷ floor\+EVALSHA +0\.60 +0\.70 +0\.65$/m);
    expect(text).toMatch(/^CPU\/req n\/l +proxy \(info\) ÷ floor\+EVALSHA +1\.80 +1\.75 +1\.78$/m);
    expect(text).toMatch(
      /^#12 +throughput, proxy \(warn\) ÷ floor\+EVALSHA +≥ 0\.85 × +0\.65 × +NO \(rounds 0\.60–0\.70\)$/m,
    );
    expect(text).toMatch(/^#14 +CPU\/request, proxy ÷ Node floor +≤ 1\.20 × +– +–$/m);
  });

  it('writes schema 2 JSON with NaN as null and ratios keyed by id', () => {
    const json = JSON.parse(reportJson(report)) as {
      schema: number;
      ratios: Record<string, { perRound: (number | null)[]; median: number | null }>;
    };
    expect(json.schema).toBe(2);
    expect(json.ratios['rps:d/l']?.perRound).toEqual([0.6, 0.7]);
    expect(json.ratios['rps:d/l']?.median).toBeCloseTo(0.65);
    expect(json.ratios['cpu:d/k']).toMatchObject({ perRound: [null, null], median: null });
  });
});
