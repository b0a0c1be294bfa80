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
 * The ratios the report prints, each leases-off figure (o, p: one Redis call
 * per request, issue 12's like-for-like with floor+EVALSHA) beside the
 * leases-on one (d, n: the default, issue 14's). Throughput ratios above 1
 * favour the numerator; CPU per request ratios below 1 do.
 */
export const RATIO_SPECS: readonly RatioSpec[] = [
  spec('throughput', 'o', 'l', 'proxy, leases off (warn) ÷ floor+EVALSHA'),
  spec('throughput', 'd', 'l', 'proxy, leases on (warn) ÷ floor+EVALSHA'),
  spec('cpu', 'o', 'l', 'proxy, leases off (warn) ÷ floor+EVALSHA'),
  spec('cpu', 'd', 'l', 'proxy, leases on (warn) ÷ floor+EVALSHA'),
  spec('throughput', 'p', 'l', 'proxy, leases off (info) ÷ floor+EVALSHA'),
  spec('throughput', 'n', 'l', 'proxy, leases on (info) ÷ floor+EVALSHA'),
  spec('cpu', 'p', 'l', 'proxy, leases off (info) ÷ floor+EVALSHA'),
  spec('cpu', 'n', 'l', 'proxy, leases on (info) ÷ floor+EVALSHA'),
  spec('throughput', 'o', 'm', 'proxy, leases off ÷ fastify gateway'),
  spec('throughput', 'd', 'm', 'proxy, leases on ÷ fastify gateway'),
  spec('throughput', 'o', 'c', 'proxy, leases off ÷ naive Express gateway'),
  spec('throughput', 'd', 'c', 'proxy, leases on ÷ naive Express gateway'),
  spec('cpu', 'o', 'k', 'proxy, leases off ÷ Node floor (no Redis)'),
  spec('cpu', 'd', 'k', 'proxy, leases on ÷ Node floor (no Redis)'),
  spec('throughput', 'd', 'b', 'proxy ÷ nginx'),
  spec('cpu', 'd', 'b', 'proxy ÷ nginx'),
  spec('cpu', 'l', 'k', 'floor+EVALSHA ÷ floor: one EVALSHA'),
  spec('throughput', 'd', 'o', 'proxy, leases on ÷ off: what leases save'),
  spec('cpu', 'd', 'o', 'proxy, leases on ÷ off: what leases save'),
  spec('cpu', 'n', 'd', 'proxy info ÷ warn, leases on: the access log'),
  spec('cpu', 'p', 'o', 'proxy info ÷ warn, leases off: the access log'),
  spec('throughput', 'j', 'd', 'two workers ÷ one'),
  spec('throughput', 'q', 'r', 'nginx auth_request: our authz ÷ allow-all'),
  spec('cpu', 'q', 'r', 'nginx auth_request: our authz ÷ allow-all'),
  spec('throughput', 's', 't', 'authz alone ÷ node:http 200'),
  spec('cpu', 's', 't', 'authz alone ÷ node:http 200'),
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
