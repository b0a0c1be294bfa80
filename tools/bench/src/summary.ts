import type { RatioResult, RatioSpec, RawResults, ThroughputSummary } from './results.ts';
import { THROUGHPUT_ORDER, type ThroughputId, type ThroughputRound } from './scenarios/throughput.ts';
import { median, ratio } from './stats.ts';

export function summariseThroughput(raw: RawResults): Partial<Record<ThroughputId, ThroughputSummary>> {
  const out: Partial<Record<ThroughputId, ThroughputSummary>> = {};
  for (const scenario of THROUGHPUT_ORDER) {
    const rounds = raw.rounds.filter((round) => round.scenario === scenario);
    if (rounds.length === 0) continue;
    const rps = rounds.map((round) => round.requestsPerSecond);
    out[scenario] = {
      scenario,
      tool: rounds[0]?.tool ?? '',
      rounds: rounds.length,
      medianRps: median(rps),
      minRps: Math.min(...rps),
      maxRps: Math.max(...rps),
      medianCpuMicrosPerRequest: median(rounds.map((round) => round.cpuMicrosPerRequest)),
      medianP50Ms: median(rounds.map((round) => round.latencyMs.p50)),
      medianP99Ms: median(rounds.map((round) => round.latencyMs.p99)),
      non2xx: rounds.reduce((sum, round) => sum + round.non2xx, 0),
      errors: rounds.reduce((sum, round) => sum + round.errors, 0),
    };
  }
  return out;
}

function spec(measure: RatioSpec['measure'], numerator: ThroughputId, denominator: ThroughputId, label: string) {
  return {
    id: `${measure === 'cpu' ? 'cpu' : 'rps'}:${numerator}/${denominator}`,
    label,
    measure,
    numerator,
    denominator,
  };
}

/**
 * The ratios the report prints: issue 22's first (the proxy as it ships
 * against the Node floor, its access log, its peers), then each leases-off
 * figure (one Redis call per request, issue 12's like-for-like with
 * floor+evalsha) beside the leases-on one. Throughput ratios above 1 favour
 * the numerator; CPU per request ratios below 1 do.
 */
export const RATIO_SPECS: readonly RatioSpec[] = [
  spec('throughput', 'proxy', 'floor', 'proxy ÷ Node floor (no Redis)'),
  spec('cpu', 'proxy', 'floor', 'proxy ÷ Node floor (no Redis)'),
  spec('throughput', 'proxy-info', 'proxy', 'proxy at info ÷ at warn: the access log'),
  spec('cpu', 'proxy-info', 'proxy', 'proxy at info ÷ at warn: the access log'),
  spec('throughput', 'proxy-traced', 'proxy', 'proxy traced at 1 % ÷ untraced'),
  spec('cpu', 'proxy-traced', 'proxy', 'proxy traced at 1 % ÷ untraced'),
  spec('throughput', 'proxy-leases-off', 'floor+evalsha', 'proxy, leases off (warn) ÷ floor+evalsha'),
  spec('throughput', 'proxy', 'floor+evalsha', 'proxy, leases on (warn) ÷ floor+evalsha'),
  spec('cpu', 'proxy-leases-off', 'floor+evalsha', 'proxy, leases off (warn) ÷ floor+evalsha'),
  spec('cpu', 'proxy', 'floor+evalsha', 'proxy, leases on (warn) ÷ floor+evalsha'),
  spec('throughput', 'proxy-info-leases-off', 'floor+evalsha', 'proxy, leases off (info) ÷ floor+evalsha'),
  spec('throughput', 'proxy-info', 'floor+evalsha', 'proxy, leases on (info) ÷ floor+evalsha'),
  spec('cpu', 'proxy-info-leases-off', 'floor+evalsha', 'proxy, leases off (info) ÷ floor+evalsha'),
  spec('cpu', 'proxy-info', 'floor+evalsha', 'proxy, leases on (info) ÷ floor+evalsha'),
  spec('throughput', 'proxy-leases-off', 'fastify', 'proxy, leases off ÷ fastify gateway'),
  spec('throughput', 'proxy', 'fastify', 'proxy, leases on ÷ fastify gateway'),
  spec('throughput', 'proxy-leases-off', 'naive', 'proxy, leases off ÷ naive Express gateway'),
  spec('throughput', 'proxy', 'naive', 'proxy, leases on ÷ naive Express gateway'),
  spec('cpu', 'proxy-leases-off', 'floor', 'proxy, leases off ÷ Node floor (no Redis)'),
  spec('throughput', 'proxy', 'nginx', 'proxy ÷ nginx'),
  spec('cpu', 'proxy', 'nginx', 'proxy ÷ nginx'),
  spec('cpu', 'floor+evalsha', 'floor', 'floor+evalsha ÷ floor: one EVALSHA'),
  spec('throughput', 'proxy', 'proxy-leases-off', 'proxy, leases on ÷ off: what leases save'),
  spec('cpu', 'proxy', 'proxy-leases-off', 'proxy, leases on ÷ off: what leases save'),
  spec('cpu', 'proxy-info-leases-off', 'proxy-leases-off', 'proxy info ÷ warn, leases off: the access log'),
  spec('throughput', 'proxy-workers', 'proxy', 'two workers ÷ one'),
  spec('throughput', 'nginx-authz', 'nginx-allow', 'nginx auth_request: our authz ÷ allow-all'),
  spec('cpu', 'nginx-authz', 'nginx-allow', 'nginx auth_request: our authz ÷ allow-all'),
  spec('throughput', 'authz', 'authz-floor', 'authz alone ÷ node:http 200'),
  spec('cpu', 'authz', 'authz-floor', 'authz alone ÷ node:http 200'),
];

function measureOf(round: ThroughputRound, measure: RatioSpec['measure']): number {
  return measure === 'cpu' ? round.cpuMicrosPerRequest : round.requestsPerSecond;
}

/**
 * Pure: each ratio within each round, and its median over the rounds. Two
 * scenarios of one round ran seconds apart, so a per-round ratio cancels
 * most of the drift of a shared machine, and its median is steadier than a
 * ratio of two medians taken from different rounds.
 */
export function computeRatios(
  rounds: readonly ThroughputRound[],
  specs: readonly RatioSpec[] = RATIO_SPECS,
): Record<string, RatioResult> {
  const roundCount = Math.max(0, ...rounds.map((round) => round.round));
  const find = (id: ThroughputId, round: number) => rounds.find((r) => r.scenario === id && r.round === round);
  const out: Record<string, RatioResult> = {};
  for (const s of specs) {
    const perRound: number[] = [];
    for (let round = 1; round <= roundCount; round++) {
      const top = find(s.numerator, round);
      const bottom = find(s.denominator, round);
      perRound.push(top && bottom ? ratio(measureOf(top, s.measure), measureOf(bottom, s.measure)) : Number.NaN);
    }
    out[s.id] = { ...s, perRound, median: median(perRound) };
  }
  return out;
}
