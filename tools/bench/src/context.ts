import type { BenchOptions } from './options.ts';
import type { Tools } from './workspace.ts';
import type { ProcessGroup } from '@routemcp/process-group';

/** What every scenario gets: options, the process group, a scratch dir, the tools found. */
export interface BenchContext {
  options: BenchOptions;
  group: ProcessGroup;
  /** Private temp dir for configs, the keystore DB and wrk scripts; removed at the end. */
  dir: string;
  /** Another path to delete at the end, once every process is stopped (a dir another user owns, say). */
  removeAtEnd: (path: string) => void;
  log: (line: string) => void;
  tools: Tools;
  clockTicksPerSecond: number;
  /** Path every load request hits: one of the docs' examples. */
  path: string;
}

export const BENCH_PATH = '/api/v1/contacts?provider=hubspot';

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
