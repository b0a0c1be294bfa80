import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessGroup } from '@routemcp/process-group';
import type { LoadResult } from './load-result.ts';
import { parseWrkOutput } from './wrk-output.ts';

export interface WrkRun {
  binary: string;
  dir: string;
  url: string;
  connections: number;
  durationSeconds: number;
  headers?: Record<string, string>;
  /**
   * Pacing: each connection waits this long after an answer before its next
   * request (wrk's `delay()` hook), for a fixed rate below saturation of
   * about connections × 1000 / delayMs requests per second.
   */
  delayMs?: number;
}

/**
 * One wrk run (one thread: the machine has two cores and the measured
 * processes need them). Headers go through a Lua script rather than argv so
 * a key never shows up in a process listing.
 */
export async function runWrk(group: ProcessGroup, run: WrkRun): Promise<LoadResult> {
  const script = join(run.dir, 'wrk-headers.lua');
  const lines = Object.entries(run.headers ?? {}).map(
    ([name, value]) => `wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}`,
  );
  if (run.delayMs !== undefined) lines.push(`function delay() return ${run.delayMs} end`);
  writeFileSync(script, `${lines.join('\n')}\n`, { mode: 0o600 });
  const wrk = group.start('wrk', run.binary, [
    '-t1',
    `-c${run.connections}`,
    `-d${run.durationSeconds}s`,
    '--timeout',
    '5s',
    '--latency',
    '-s',
    script,
    run.url,
  ]);
  let stdout = '';
  wrk.child.stdout?.on('data', (data: Buffer) => (stdout += data.toString()));
  const code = await wrk.exit;
  if (code !== 0) throw new Error(`wrk exited with ${code}:\n${wrk.output()}`);
  const parsed = parseWrkOutput(stdout);
  return {
    tool: 'wrk',
    requests: parsed.requests,
    durationSeconds: parsed.durationSeconds,
    requestsPerSecond: parsed.requestsPerSecond,
    non2xx: parsed.non2xx,
    errors: parsed.socketErrors,
    latencyMs: { p50: parsed.latencyMs.p50, p99: parsed.latencyMs.p99 },
  };
}
