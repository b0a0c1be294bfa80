import type { ThroughputId, ThroughputRound } from '../scenarios/throughput.ts';

/** One throughput round as wrk would report it: `rps` for 10 s at `cpuUs` CPU µs per request. */
export function round(scenario: ThroughputId, roundNo: number, rps: number, cpuUs: number): ThroughputRound {
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
