import { describe, expect, it } from 'vitest';
import type { MachineInfo } from './machine-info.ts';
import { parseOptions, type BenchOptions } from './options.ts';
import { buildReport, JUDGED_HOW, reportJson, reportText } from './report.ts';
import type { RawResults } from './results.ts';
import type { RevocationResult } from './scenarios/revocation.ts';
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
  postgres: null,
  gitCommit: 'abcdef0123',
  gitDirty: false,
};

const options = parseOptions(
  ['--only', 'proxy,floor+evalsha,proxy-info,proxy-leases-off,revocation', '--rounds', '2'],
  new Date(0),
) as BenchOptions;

const revocation = (keystore: 'sqlite' | 'postgres', replicas: number): RevocationResult => ({
  keystore,
  replicas,
  trials: 2,
  proxies: 2,
  samplesMs: [5, 6, 7, 30],
  timeouts: 0,
  p50: 6.5,
  p99: 29.3,
  max: 30,
  acrossReplicas: replicas > 1 ? { samplesMs: [7, 30], timeouts: 0, p50: 18.5, p99: 29.77, max: 30 } : null,
});

const raw: RawResults = {
  rounds: [
    round('floor+evalsha', 1, 5000, 200),
    round('proxy', 1, 3000, 300),
    round('proxy-leases-off', 1, 2400, 330),
    round('proxy-info', 1, 2500, 360),
    round('floor+evalsha', 2, 5000, 200),
    round('proxy', 2, 3500, 280),
    round('proxy-leases-off', 2, 2600, 320),
    round('proxy-info', 2, 2600, 350),
  ],
  cacheMiss: [],
  revocation: [revocation('sqlite', 1), revocation('postgres', 2)],
  notes: [],
  skipped: { 'cache-miss:postgres': 'PostgreSQL server binaries not found' },
};

describe('report', () => {
  const report = buildReport({ raw, options, machine, startedAt: new Date(0), finishedAt: new Date(1000) });

  it('says how the lease modes are judged, at the top', () => {
    expect(reportText(report).split('\n')[1]).toBe(JUDGED_HOW);
    expect(JUDGED_HOW).toMatch(
      /Issue 12's targets are judged with leases off \(proxy-leases-off, proxy-info-leases-off/,
    );
    expect(JUDGED_HOW).toMatch(/Issues 14 and 22 are judged on proxy, leases on/);
  });

  it('prints the measured throughput rows, each ratio per round with its median, and targets by issue', () => {
    const text = reportText(report);
    expect(text).toMatch(/^proxy: the proxy as it ships: cache hit, leases on, warn +3250 +3000 +3500/m);
    expect(text).toMatch(/^proxy-leases-off: proxy, RATE_LIMIT_LEASES=off +2500 +2400 +2600/m);
    expect(text).toMatch(/^proxy-info: proxy, LOG_LEVEL=info +2550/m);
    expect(text).not.toMatch(/^floor: /m);
    expect(text).toMatch(/^ratio +of +r1 +r2 +median$/m);
    expect(text).toMatch(
      /^req\/s proxy-leases-off\/floor\+evalsha +proxy, leases off \(warn\) ÷ floor\+evalsha +0\.48 +0\.52 +0\.50$/m,
    );
    expect(text).toMatch(
      /^req\/s proxy\/floor\+evalsha +proxy, leases on \(warn\) ÷ floor\+evalsha +0\.60 +0\.70 +0\.65$/m,
    );
    expect(text).toMatch(
      /^CPU\/req proxy-info\/floor\+evalsha +proxy, leases on \(info\) ÷ floor\+evalsha +1\.80 +1\.75 +1\.78$/m,
    );
    expect(text).toMatch(
      /^CPU\/req proxy\/proxy-leases-off +proxy, leases on ÷ off: what leases save +0\.91 +0\.88 +0\.89$/m,
    );
    // Issue 12 judged on proxy-leases-off, proxy beside it; issues 14 and 22 on proxy.
    expect(text).toMatch(
      /^#12 +throughput, proxy \(warn, leases off\) ÷ floor\+evalsha +≥ 0\.85 × +0\.50 × +leases on 0\.65 × +NO \(rounds 0\.48–0\.52\)$/m,
    );
    expect(text).toMatch(
      /^#14 +hot-key throughput, proxy \(leases on\) ÷ floor\+evalsha +≥ 1\.00 × +0\.65 × +NO \(rounds 0\.60–0\.70\)$/m,
    );
    expect(text).toMatch(/^#22 +CPU\/request, proxy ÷ Node floor \(no Redis\) +≤ 1\.20 × +– +–$/m);
  });

  it("prints issue 21's forward-auth rows, their ratios and both targets, in --quick too", () => {
    const quick = parseOptions(
      ['--quick', '--only', 'nginx-authz,nginx-allow,authz,authz-floor'],
      new Date(0),
    ) as BenchOptions;
    const forwardAuth: RawResults = {
      ...raw,
      rounds: [
        round('nginx-allow', 1, 4000, 150),
        round('nginx-authz', 1, 3000, 250),
        round('authz-floor', 1, 20_000, 40),
        round('authz', 1, 12_000, 70),
      ],
      revocation: [],
    };
    const text = reportText(
      buildReport({ raw: forwardAuth, options: quick, machine, startedAt: new Date(0), finishedAt: new Date(1000) }),
    );
    expect(text).toMatch(/^nginx-authz: nginx auth_request → our authz +3000 /m);
    expect(text).toMatch(/^nginx-allow: nginx auth_request → Node allow-all +4000 /m);
    expect(text).toMatch(/^authz: authz alone \(GET \/authz\/…\) +12000 /m);
    expect(text).toMatch(/^authz-floor: node:http 200, no work +20000 /m);
    expect(text).toMatch(/^req\/s nginx-authz\/nginx-allow +nginx auth_request: our authz ÷ allow-all +0\.75 +0\.75$/m);
    expect(text).toMatch(/^req\/s authz\/authz-floor +authz alone ÷ node:http 200 +0\.60 +0\.60$/m);
    expect(text).toMatch(/^#21 +nginx auth_request throughput, our authz ÷ allow-all +≥ 0\.90 × +0\.75 × +NO$/m);
    expect(text).toMatch(/^#21 +authz alone throughput ÷ node:http 200 +≥ 0\.80 × +0\.60 × +NO$/m);
  });

  it('gives a value that rounds onto its goal a third digit, so an unmet figure never reads as the goal', () => {
    const near: RawResults = {
      ...raw,
      rounds: [round('nginx-allow', 1, 10_000, 150), round('nginx-authz', 1, 8_970, 250)],
      revocation: [],
    };
    const quick = parseOptions(['--quick', '--only', 'nginx-authz,nginx-allow'], new Date(0)) as BenchOptions;
    const text = reportText(
      buildReport({ raw: near, options: quick, machine, startedAt: new Date(0), finishedAt: new Date(1000) }),
    );
    expect(text).toMatch(/^#21 +nginx auth_request throughput, our authz ÷ allow-all +≥ 0\.90 × +0\.897 × +NO$/m);
  });

  it('prints revocation per keystore, with the replicas and the across-replica samples on PostgreSQL', () => {
    const text = reportText(report);
    expect(text).toMatch(
      /^revocation: 2 revokes × 2 proxies \(sqlite\) +p50 6\.50 ms, p99 29\.30 ms, max 30\.00 ms, timeouts 0$/m,
    );
    expect(text).toMatch(
      /^revocation: 2 revokes × 2 proxies \(postgres, 2 replicas\) +p50 6\.50 ms.*; across replicas p50 18\.50 ms, p99 29\.77 ms, max 30\.00 ms$/m,
    );
    expect(text).toMatch(/^#13 +revocation p99, 2 proxies on 2 replicas \(postgres\) +≤ 100 ms +29\.300 ms +yes/m);
    expect(text).toMatch(/^skipped cache-miss:postgres: PostgreSQL server binaries not found$/m);
  });

  it('writes schema 4 JSON with NaN as null, ratios keyed by id and the leases-on figure beside issue 12', () => {
    const json = JSON.parse(reportJson(report)) as {
      schema: number;
      ratios: Record<string, { perRound: (number | null)[]; median: number | null }>;
      targets: { id: string; value: number | null; beside?: { label: string; value: number | null } }[];
    };
    expect(json.schema).toBe(4);
    expect(json.ratios['rps:proxy/floor+evalsha']?.perRound).toEqual([0.6, 0.7]);
    expect(json.ratios['rps:proxy/floor+evalsha']?.median).toBeCloseTo(0.65);
    expect(json.ratios['cpu:proxy/floor']).toMatchObject({ perRound: [null, null], median: null });
    const target = json.targets.find((t) => t.id === 'rps:proxy-leases-off/floor+evalsha');
    expect(target?.value).toBeCloseTo(0.5);
    expect(target?.beside?.label).toBe('leases on');
    expect(target?.beside?.value).toBeCloseTo(0.65);
  });
});
