import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { find, loadKustomization, loadManifests } from '../manifests.ts';
import { validateManifest } from '../validate-manifest.ts';
import { dashboardFile, monitoringDir } from './monitoring-files.ts';

const manifests = loadManifests(monitoringDir);
const kustomization = loadKustomization(monitoringDir);

describe('deploy/monitoring (kubectl apply -k)', () => {
  it.each(manifests.map(({ file, manifest }) => [`${file}: ${manifest.kind}/${manifest.metadata.name}`, manifest]))(
    '%s validates against its schema',
    async (_name, manifest) => {
      await validateManifest(manifest);
    },
  );

  it('ships the dashboard as a ConfigMap that Grafana’s sidecar loads', async () => {
    const generator = kustomization.configMapGenerator?.find((entry) => entry.name === 'routemcp-grafana-dashboard');
    expect(generator?.options?.labels).toEqual({ grafana_dashboard: '1' });
    expect(generator?.files?.map((file) => join(monitoringDir, file))).toEqual([dashboardFile]);
    const json = readFileSync(dashboardFile, 'utf8');
    await validateManifest({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'routemcp-grafana-dashboard' },
      data: { 'routemcp-gateway.json': json },
    });
    // A ConfigMap holds at most 1 MiB.
    expect(Buffer.byteLength(json)).toBeLessThan(1024 * 1024);
  });

  it("scrapes the proxies' admin port, which the api pods name and let scrapers reach", () => {
    const monitor = find(manifests, 'PodMonitor', 'routemcp-proxy') as unknown as {
      spec: {
        selector: { matchLabels: Record<string, string> };
        podMetricsEndpoints: { port: string; path: string }[];
      };
    };
    const api = find(loadManifests(), 'Deployment', 'api') as unknown as {
      spec: {
        template: {
          metadata: { labels: Record<string, string> };
          spec: { initContainers: { name: string; ports: { name: string; containerPort: number }[] }[] };
        };
      };
    };
    expect(api.spec.template.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    const proxy = api.spec.template.spec.initContainers.find((container) => container.name === 'proxy');
    expect(monitor.spec.podMetricsEndpoints).toEqual([{ port: 'admin', path: '/metrics', interval: '15s' }]);
    expect(proxy?.ports).toContainEqual({ name: 'admin', containerPort: 9901 });
  });
});
