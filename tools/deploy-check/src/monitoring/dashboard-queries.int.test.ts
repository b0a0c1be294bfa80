import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessGroup } from '@routemcp/process-group';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusServer } from '../dashboard-snapshot/prometheus-server.ts';
import { loadDashboard } from './monitoring-files.ts';
import { withAllSelected, withGrafanaMacros } from './promql-references.ts';

const group = new ProcessGroup();
const dir = mkdtempSync(join(tmpdir(), 'routemcp-promql-'));
let prometheus: PrometheusServer;

beforeAll(async () => {
  prometheus = await startPrometheus(group, { dir, targets: [], jobName: 'none', scrapeSeconds: 5 });
}, 60_000);
afterAll(async () => {
  await group.stopAll();
  rmSync(dir, { recursive: true, force: true });
});

const targets = loadDashboard().panels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => [`${panel.title} ${target.refId}`, target.expr] as const),
);

// The grammar the unit tests parse with is Prometheus 3's; this asks the Prometheus that runs here.
describe("every dashboard query, as Grafana sends it, is accepted by this machine's Prometheus", () => {
  it.each(targets)('%s', async (_name, expr) => {
    // Fails with Prometheus's own parse error for a query it refuses.
    const now = Math.floor(Date.now() / 1000);
    const query = withGrafanaMacros(withAllSelected(expr), '1m');
    await expect(prometheus.queryRange(query, { start: now - 60, end: now, step: 15 })).resolves.toBeInstanceOf(Array);
  });
});
