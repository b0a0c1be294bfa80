import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseOptions, USAGE, UsageError } from './options.ts';
import { ProcessGroup } from '@routemcp/process-group';
import { renderHtml } from './report.ts';
import { runSoak } from './run-soak.ts';

let options;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`${error.message}\n\n${USAGE}`);
  process.exit(2);
}

const group = new ProcessGroup();
process.on('exit', () => group.killAllNow());
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

const report = await runSoak(options, group, (line) => console.log(line));
// Relative to where `npm run soak` was started (npm runs scripts from the workspace root).
const out = resolve(process.env.INIT_CWD ?? process.cwd(), options.out);
await mkdir(out, { recursive: true });
await writeFile(resolve(out, 'soak.json'), `${JSON.stringify(report, null, 2)}\n`);
await writeFile(resolve(out, 'soak.html'), renderHtml(report));

const unexpected = Object.values(report.totals.unexpected).reduce((sum, n) => sum + n, 0);
console.log(
  `done: ${report.totals.ok} ok, ${report.totals.refused} refused, ${unexpected} unexpected ${JSON.stringify(report.totals.unexpected)}`,
);
console.log(`report: ${resolve(out, 'soak.html')}`);
process.exitCode = report.proxyDied === null && unexpected === 0 ? 0 : 1;
