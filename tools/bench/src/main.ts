import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { BenchContext } from './context.ts';
import { BENCH_PATH } from './context.ts';
import { machineInfo } from './machine-info.ts';
import { parseCommandLine } from './options.ts';
import { clockTicksPerSecond } from './proc.ts';
import { ProcessGroup } from '@routemcp/process-group';
import { buildReport, reportJson, reportText } from './report.ts';
import { runBench } from './run-bench.ts';
import { findTools, workspaceRoot } from './workspace.ts';

const startedAt = new Date();
const options = parseCommandLine(process.argv.slice(2), startedAt);
const group = new ProcessGroup();
const dir = mkdtempSync(join(tmpdir(), 'routemcp-bench-'));
const scratch = [dir];
const cleanUp = () => {
  for (const path of scratch.splice(0)) rmSync(path, { recursive: true, force: true });
};
process.once('exit', () => group.killAllNow());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping everything the bench started\n`);
    void group.stopAll(2000).finally(() => (cleanUp(), process.exit(130)));
  });
}
const tools = findTools();
const ctx: BenchContext = {
  options,
  group,
  dir,
  removeAtEnd: (path) => void scratch.push(path),
  tools,
  path: BENCH_PATH,
  clockTicksPerSecond: clockTicksPerSecond(),
  log: (line) => process.stderr.write(`[bench +${((Date.now() - startedAt.getTime()) / 1000).toFixed(1)}s] ${line}\n`),
};
// Before the run: the load average then says how busy the machine was without us.
const machine = machineInfo(tools);
try {
  const raw = await runBench(ctx);
  ctx.log('stopping processes');
  await group.stopAll();
  const report = buildReport({ raw, options, machine, startedAt, finishedAt: new Date() });
  const out = resolve(workspaceRoot, options.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, reportJson(report));
  process.stdout.write(`${reportText(report)}\n\nJSON: ${out}\n`);
} catch (error) {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await group.stopAll();
  cleanUp();
}
