// Renders the Grafana dashboard over a real run, without Grafana (see docs/operating.md):
//   npm run snapshot -w @routemcp/deploy-check [-- --out docs/images/dashboard.png --scale 1 --rate 150]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generate } from '@routemcp/api-key';
import { ProcessGroup } from '@routemcp/process-group';
import { workspaceRoot } from '../manifests.ts';
import { startLiveStack } from '../monitoring/live-stack.ts';
import { loadDashboard } from '../monitoring/monitoring-files.ts';
import { withAllSelected, withGrafanaMacros } from '../monitoring/promql-references.ts';
import { startLoad } from './load.ts';
import { startPrometheus } from './prometheus-server.ts';
import { renderPage, type PanelData } from './render-page.ts';
import { runScenario, scenario } from './scenario.ts';
import { screenshot } from './screenshot.ts';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: 'docs/images/dashboard.png' },
    'report-dir': { type: 'string', default: 'reports/dashboard-snapshot' },
    // 1 = the 3-minute run of the committed picture; 0.2 for a quick look.
    scale: { type: 'string', default: '1' },
    rate: { type: 'string', default: '150' },
    'kill-worker': { type: 'boolean', default: false },
  },
});
const SCRAPE_S = 2;
const WIDTH = 1600;
const out = resolve(workspaceRoot, args.out);
const reportDir = resolve(workspaceRoot, args['report-dir']);
const rate = Number(args.rate);

const group = new ProcessGroup();
const dir = mkdtempSync(join(tmpdir(), 'routemcp-snapshot-'));
process.once('exit', () => group.killAllNow());
process.once('SIGINT', () => process.exit(130));

try {
  const stack = await startLiveStack(group, { dir });
  const prometheus = await startPrometheus(group, {
    dir,
    targets: [new URL(stack.adminUrl).host, new URL(stack.keystoreUrl).host],
    jobName: 'routemcp-proxy',
    scrapeSeconds: SCRAPE_S,
  });
  const roomy = { capacity: 100_000, refillPerSecond: 10_000 };
  const keys: string[] = [];
  for (let i = 0; i < 20; i++) keys.push(await stack.createKey({ environment: 'live', rateLimit: roomy }));
  const smallBucket = await stack.createKey({ environment: 'test', rateLimit: { capacity: 5, refillPerSecond: 2 } });
  // One hot key, spent from leases; keys each policy refuses; a shadow limit that would refuse.
  const hot = await stack.createKey({ environment: 'live', rateLimit: roomy });
  const elsewhere = await stack.createKey({ environment: 'live', allowedIps: ['192.0.2.0/24'] });
  const readOnly = await stack.createKey({ environment: 'live', permissions: ['GET /api/v1/other'] });
  const quota = await stack.createKey({ environment: 'live', quota: { limit: 100, period: 'day' } });
  const shadowed = await stack.createKey({
    environment: 'live',
    rateLimits: [
      { name: 'enforced', ...roomy },
      { name: 'planned', capacity: 5, refillPerSecond: 1, shadow: true },
    ],
  });

  const start = Math.floor(Date.now() / 1000);
  const load = startLoad({
    url: `${stack.proxyUrl}/api/v1/contacts?provider=hubspot`,
    ratePerSecond: rate,
    keys,
    mix: [
      { share: 0.3, key: () => hot },
      { share: 0.03, key: () => smallBucket },
      { share: 0.02, key: () => generate('live') },
      { share: 0.02, key: () => 'sk_live_malformed' },
      { share: 0.01, key: () => elsewhere },
      { share: 0.01, key: () => readOnly },
      { share: 0.02, key: () => quota },
      { share: 0.03, key: () => shadowed },
    ],
  });
  const load1 = loadavg()[0]!.toFixed(1);
  const bands = await runScenario(stack, scenario({ scale: Number(args.scale), killWorker: args['kill-worker'] }));
  await load.stop();
  const end = Math.floor(Date.now() / 1000);
  // The last scrapes of the run land before anything is asked.
  await new Promise((done) => setTimeout(done, 2 * SCRAPE_S * 1000));
  const range = { start, end, step: SCRAPE_S };

  const dashboard = loadDashboard();
  const data = new Map<number, PanelData>();
  for (const panel of dashboard.panels) {
    if (!panel.targets) continue;
    const targets = [];
    for (const target of panel.targets) {
      const expr = withGrafanaMacros(withAllSelected(target.expr), '10s');
      targets.push(await prometheus.queryRange(expr, range));
    }
    data.set(panel.id, { targets });
  }
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: workspaceRoot }).toString().trim();
  const subtitle =
    `A real run at ${commit}: a proxy with 2 workers, the keystore, the api and Redis as processes on loopback; ` +
    `${rate} req/s (30 % on one hot key, 4 % invalid keys, 3 % on a bucket of 5, 4 % refused by a key policy or ` +
    `a quota of 100 a day, 3 % under a shadow limit); Prometheus scraping every ${SCRAPE_S} s; ` +
    `load average ${load1} on ${availableParallelism()} cores at the start (the machine is shared). ` +
    'Rendered from the dashboard’s own queries by tools/deploy-check/src/dashboard-snapshot (no Grafana here).';
  const html = renderPage({ dashboard, data, range, bands, subtitle, width: WIDTH });
  mkdirSync(reportDir, { recursive: true });
  writeFileSync(join(reportDir, 'dashboard.html'), html);
  writeFileSync(join(reportDir, 'data.json'), JSON.stringify({ range, bands, tally: load.tally, data: [...data] }));
  mkdirSync(dirname(out), { recursive: true });
  await screenshot(html, out, WIDTH);
  process.stderr.write(`answers: ${JSON.stringify(load.tally)}\nwrote ${out} and ${reportDir}/dashboard.html\n`);
} finally {
  await group.stopAll();
  rmSync(dir, { recursive: true, force: true });
}
