import type { BenchContext } from '../context.ts';
import { drive } from '../load/drive.ts';
import { median } from '../stats.ts';

export interface LatencySide {
  p50: number[];
  p99: number[];
  requests: number;
  non2xx: number;
  /** Achieved rate per round. */
  requestsPerSecond: number[];
}

export interface AddedLatencyResult {
  rate: number;
  connections: number;
  rounds: number;
  /** `wrk (paced)`, or `autocannon (per-second quota)` when wrk is missing: see `drive`. */
  pacing: string;
  direct: LatencySide;
  proxy: LatencySide;
  /** median(proxy pX) − median(direct pX), ms. */
  addedP50: number;
  addedP99: number;
}

/** Enough connections that 1 000 req/s never waits on a busy one, few enough to stay far from saturation. */
const CONNECTIONS = 10;

/**
 * Direct and through the proxy, interleaved, at a fixed rate below
 * saturation, so latency is the path's own and not queueing; wrk paces it
 * (see `Drive.rate`), and the achieved rate is reported.
 */
export async function runAddedLatency(
  ctx: BenchContext,
  urls: { direct: string; proxy: string },
  authorization: string,
): Promise<AddedLatencyResult> {
  const rounds = Math.min(ctx.options.rounds, 3);
  const empty = (): LatencySide => ({ p50: [], p99: [], requests: 0, non2xx: 0, requestsPerSecond: [] });
  const sides = { direct: empty(), proxy: empty() };
  for (let round = 1; round <= rounds; round++) {
    for (const side of ['direct', 'proxy'] as const) {
      // Latency percentiles settle within seconds at 1 000 req/s; throughput rounds need the long runs.
      const run = await drive(ctx, {
        url: `${urls[side]}${ctx.path}`,
        connections: CONNECTIONS,
        durationSeconds: Math.min(ctx.options.durationSeconds, 5),
        headers: { authorization },
        rate: ctx.options.fixedRate,
      });
      const target = sides[side];
      target.p50.push(run.latencyMs.p50);
      target.p99.push(run.latencyMs.p99);
      target.requests += run.requests;
      target.non2xx += run.non2xx + run.errors;
      target.requestsPerSecond.push(run.requestsPerSecond);
      ctx.log(
        `  round ${round} ${side}: p50 ${run.latencyMs.p50.toFixed(3)} ms, p99 ${run.latencyMs.p99.toFixed(3)} ms (${run.requestsPerSecond.toFixed(0)} req/s)`,
      );
    }
  }
  return {
    rate: ctx.options.fixedRate,
    connections: CONNECTIONS,
    rounds,
    pacing: ctx.tools.wrk !== null ? 'wrk (paced)' : 'autocannon (per-second quota: bursts)',
    ...sides,
    addedP50: median(sides.proxy.p50) - median(sides.direct.p50),
    addedP99: median(sides.proxy.p99) - median(sides.direct.p99),
  };
}
