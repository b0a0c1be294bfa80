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

/**
 * The sides of added-latency, named by their throughput scenario: direct,
 * the Node floor, floor+evalsha, the proxy with leases (the default) and
 * without (proxy-leases-off).
 */
export type LatencySideId = 'direct' | 'floor' | 'floor+evalsha' | 'proxy' | 'proxy-leases-off';
const SIDES = ['direct', 'floor', 'floor+evalsha', 'proxy', 'proxy-leases-off'] as const;

export interface AddedLatencyResult {
  rate: number;
  connections: number;
  rounds: number;
  /** `wrk (paced)`, or `autocannon (per-second quota: bursts)` when wrk is missing: see `drive`. */
  pacing: string;
  sides: Partial<Record<LatencySideId, LatencySide>>;
  /** Per side but direct: median(side pX) − median(direct pX), ms. */
  added: Partial<Record<Exclude<LatencySideId, 'direct'>, { p50: number; p99: number }>>;
}

/** Enough connections that 1 000 req/s never waits on a busy one, few enough to stay far from saturation. */
const CONNECTIONS = 10;

/**
 * Each side in turn, round after round, at a fixed rate below saturation,
 * so latency is the path's own and not queueing; wrk paces it (see
 * `Drive.rate`), and the achieved rate is reported. The floor's own added
 * latency is what the proxy's is judged against (issue 14).
 */
export async function runAddedLatency(
  ctx: BenchContext,
  urls: { direct: string; proxy: string } & Partial<Record<'floor' | 'floor+evalsha' | 'proxy-leases-off', string>>,
  authorization: string,
): Promise<AddedLatencyResult> {
  const rounds = Math.min(ctx.options.rounds, 3);
  const order = SIDES.filter((id) => urls[id] !== undefined);
  const sides: Partial<Record<LatencySideId, LatencySide>> = {};
  for (let round = 1; round <= rounds; round++) {
    for (const id of order) {
      // Latency percentiles settle within seconds at 1 000 req/s; throughput rounds need the long runs.
      const run = await drive(ctx, {
        url: `${urls[id]}${ctx.path}`,
        connections: CONNECTIONS,
        durationSeconds: Math.min(ctx.options.durationSeconds, 5),
        headers: { authorization },
        rate: ctx.options.fixedRate,
      });
      const side = (sides[id] ??= { p50: [], p99: [], requests: 0, non2xx: 0, requestsPerSecond: [] });
      side.p50.push(run.latencyMs.p50);
      side.p99.push(run.latencyMs.p99);
      side.requests += run.requests;
      side.non2xx += run.non2xx + run.errors;
      side.requestsPerSecond.push(run.requestsPerSecond);
      ctx.log(
        `  round ${round} ${id}: p50 ${run.latencyMs.p50.toFixed(3)} ms, p99 ${run.latencyMs.p99.toFixed(3)} ms (${run.requestsPerSecond.toFixed(0)} req/s)`,
      );
    }
  }
  return {
    rate: ctx.options.fixedRate,
    connections: CONNECTIONS,
    rounds,
    pacing: ctx.tools.wrk !== null ? 'wrk (paced)' : 'autocannon (per-second quota: bursts)',
    sides,
    added: addedOver(sides),
  };
}

/** Pure: each side's medians minus direct's; NaN where direct or the side is missing. */
export function addedOver(sides: Partial<Record<LatencySideId, LatencySide>>): AddedLatencyResult['added'] {
  const direct = sides['direct'];
  const added: AddedLatencyResult['added'] = {};
  for (const id of SIDES) {
    if (id === 'direct') continue;
    const side = sides[id];
    if (side === undefined) continue;
    added[id] = {
      p50: median(side.p50) - (direct ? median(direct.p50) : Number.NaN),
      p99: median(side.p99) - (direct ? median(direct.p99) : Number.NaN),
    };
  }
  return added;
}
