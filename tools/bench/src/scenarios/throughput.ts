import type { BenchContext } from '../context.ts';
import { drive } from '../load/drive.ts';
import type { LoadResult } from '../load/load-result.ts';
import { cpuTicksOf } from '../proc.ts';

/**
 * The throughput scenarios, in the order each round runs them (and the table
 * shows them): the references, the floors, the peers, then the proxy
 * (leases on and off side by side, at warn and at info), then forward
 * auth (issue 21), each floor right before what is judged against it.
 */
export const THROUGHPUT_ORDER = [
  'direct',
  'nginx',
  'floor',
  'floor+evalsha',
  'naive',
  'fastify',
  'proxy',
  'proxy-leases-off',
  'proxy-info',
  'proxy-info-leases-off',
  'proxy-traced',
  'proxy-workers',
  'nginx-allow',
  'nginx-authz',
  'authz-floor',
  'authz',
] as const;
export type ThroughputId = (typeof THROUGHPUT_ORDER)[number];

export interface ThroughputTarget {
  id: ThroughputId;
  url: string;
  headers: Record<string, string>;
  /** The processes whose CPU counts as this scenario's cost (read at the start of each round). */
  pids: () => number[];
  /** The path loaded, when not the bench's own (the authz alone takes it under `/authz`). */
  path?: string;
  /** What a good answer is: the upstream's JSON (the default), or an empty 200 (an authz's allow). */
  answers?: 'upstream' | 'empty-200';
}

export interface ThroughputRound extends LoadResult {
  round: number;
  scenario: ThroughputId;
  cpuSeconds: number;
  /** CPU time of `pids` per completed request: the headline figure. */
  cpuMicrosPerRequest: number;
}

function driveTarget(ctx: BenchContext, target: ThroughputTarget, durationSeconds: number): Promise<LoadResult> {
  return drive(ctx, {
    url: `${target.url}${target.path ?? ctx.path}`,
    connections: ctx.options.connections,
    durationSeconds,
    headers: target.headers,
  });
}

export async function measureRound(
  ctx: BenchContext,
  target: ThroughputTarget,
  round: number,
): Promise<ThroughputRound> {
  const pids = target.pids();
  const before = cpuTicksOf(pids);
  const load = await driveTarget(ctx, target, ctx.options.durationSeconds);
  const cpuSeconds = (cpuTicksOf(pids) - before) / ctx.clockTicksPerSecond;
  return {
    ...load,
    round,
    scenario: target.id,
    cpuSeconds,
    cpuMicrosPerRequest: load.requests > 0 ? (cpuSeconds * 1e6) / load.requests : Number.NaN,
  };
}

/**
 * One request before any load: a target that does not answer the upstream's
 * 200 would be measured as a fast error path (wrk counts non-2xx but keeps
 * going), so the run stops here instead.
 */
async function checkAnswers(ctx: BenchContext, target: ThroughputTarget): Promise<void> {
  const res = await fetch(`${target.url}${target.path ?? ctx.path}`, {
    headers: target.headers,
    signal: AbortSignal.timeout(5000),
  });
  const body = await res.text();
  const good = target.answers === 'empty-200' ? body === '' : body.includes('"success":true');
  if (res.status !== 200 || !good)
    throw new Error(`throughput ${target.id}: ${target.url} answered ${res.status} ${body.slice(0, 200)}`);
}

/**
 * Checks and warms every target (JIT, keep-alive pools, caches), then runs
 * rounds in the targets' order, round after round, so slow drift on a shared
 * machine hits every scenario alike; the caller compares medians and
 * per-round ratios.
 */
export async function runThroughputRounds(
  ctx: BenchContext,
  targets: readonly ThroughputTarget[],
  stillInBudget: () => boolean,
): Promise<ThroughputRound[]> {
  for (const target of targets) {
    await checkAnswers(ctx, target);
    ctx.log(`  warm-up ${target.id} (${ctx.options.warmupSeconds}s)`);
    await driveTarget(ctx, target, ctx.options.warmupSeconds);
  }
  const rounds: ThroughputRound[] = [];
  for (let round = 1; round <= ctx.options.rounds; round++) {
    if (!stillInBudget()) {
      ctx.log(`  time budget reached: stopping after round ${round - 1}`);
      break;
    }
    for (const target of targets) {
      const result = await measureRound(ctx, target, round);
      rounds.push(result);
      ctx.log(
        `  round ${round} ${target.id}: ${result.requestsPerSecond.toFixed(0)} req/s, ` +
          `${result.cpuMicrosPerRequest.toFixed(1)} µs CPU/req, p99 ${result.latencyMs.p99.toFixed(2)} ms` +
          (result.non2xx + result.errors > 0 ? `, ${result.non2xx} non-2xx, ${result.errors} errors` : ''),
      );
    }
  }
  return rounds;
}
