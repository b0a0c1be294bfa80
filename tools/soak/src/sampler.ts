import { readdir, readFile } from 'node:fs/promises';
import type { Tally } from './load.ts';
import { metricValue } from './prometheus-text.ts';

export interface Sample {
  /** Seconds since the load started. */
  t: number;
  rssMb: number | null;
  openFds: number | null;
  /** The proxy's own view (prom-client's event-loop monitor), in ms. */
  lagP99Ms: number | null;
  rps: number;
  ok: number;
  refused: number;
  unexpected: number;
  unexpectedBy: Record<string, number>;
  latencyP99Ms: number | null;
}

/** VmRSS of a process from /proc, in MiB (Linux only; null elsewhere or once it is gone). */
export async function rssMb(pid: number): Promise<number | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
  const kb = status === null ? null : /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return kb == null ? null : Math.round((Number(kb) / 1024) * 10) / 10;
}

export async function openFds(pid: number): Promise<number | null> {
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => null);
  return fds === null ? null : fds.length;
}

async function lagP99Ms(adminUrl: string): Promise<number | null> {
  const res = await fetch(`${adminUrl}/metrics`, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
  if (res === null || !res.ok) return null;
  const seconds = metricValue(await res.text(), 'nodejs_eventloop_lag_p99_seconds');
  return seconds === null ? null : Math.round(seconds * 1000 * 100) / 100;
}

function p99(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = values.sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
}

export async function takeSample(options: {
  pid: number;
  adminUrl: string;
  tally: Tally;
  t: number;
  intervalS: number;
}): Promise<Sample> {
  const { tally } = options;
  const [rss, fds, lag] = await Promise.all([rssMb(options.pid), openFds(options.pid), lagP99Ms(options.adminUrl)]);
  const unexpected = Object.values(tally.unexpected).reduce((sum, n) => sum + n, 0);
  return {
    t: Math.round(options.t * 10) / 10,
    rssMb: rss,
    openFds: fds,
    lagP99Ms: lag,
    rps: Math.round((tally.ok + tally.refused + unexpected) / options.intervalS),
    ok: tally.ok,
    refused: tally.refused,
    unexpected,
    unexpectedBy: tally.unexpected,
    latencyP99Ms: p99(tally.latenciesMs),
  };
}
