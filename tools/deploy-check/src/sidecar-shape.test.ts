import { describe, expect, it } from 'vitest';
import { find, loadManifests } from './manifests.ts';
import { container, envOf, workload } from './pod-specs.ts';

const manifests = loadManifests();
const api = workload(find(manifests, 'Deployment', 'api'));
const proxy = container(api.pod, 'proxy');
const upstream = container(api.pod, 'api');

describe('the api pod with the proxy sidecar', () => {
  it('runs the proxy as a native sidecar: an init container that keeps running', () => {
    expect(api.pod.initContainers?.map((c) => c.name)).toEqual(['proxy']);
    expect(proxy.restartPolicy).toBe('Always');
    expect(api.pod.containers.map((c) => c.name)).toEqual(['api']);
  });

  it('binds the api to loopback only and points the proxy at it', () => {
    expect(envOf(upstream, 'API_HOST')).toBe('127.0.0.1');
    expect(upstream.ports ?? []).toEqual([]);
    const port = envOf(upstream, 'API_PORT');
    expect(envOf(proxy, 'UPSTREAM_URL')).toBe(`http://127.0.0.1:${port}`);
  });

  it('exposes the pod only through the proxy port', () => {
    const service = find(manifests, 'Service', 'api');
    const spec = service.spec as { selector: Record<string, string>; ports: { targetPort: string | number }[] };
    for (const [label, value] of Object.entries(spec.selector)) expect(api.podLabels[label]).toBe(value);
    const proxyPort = proxy.ports?.find((p) => p.name === 'proxy');
    expect(proxyPort?.containerPort).toBe(Number(envOf(proxy, 'PROXY_PORT')));
    expect(spec.ports.map((p) => p.targetPort)).toEqual(['proxy']);
  });

  it('probes the proxy on its admin port', () => {
    const admin = proxy.ports?.find((p) => p.name === 'admin');
    expect(admin?.containerPort).toBe(Number(envOf(proxy, 'PROXY_ADMIN_PORT')));
    expect(proxy.readinessProbe?.httpGet).toMatchObject({ path: '/readyz', port: 'admin' });
    expect(proxy.livenessProbe?.httpGet).toMatchObject({ path: '/healthz', port: 'admin' });
    expect(proxy.startupProbe?.httpGet).toMatchObject({ port: 'admin' });
  });

  it('reaches the keystore and Redis by their Services', () => {
    expect(envOf(proxy, 'KEYSTORE_URL')).toBe('http://keystore:5003');
    expect(envOf(proxy, 'REDIS_URL')).toBe('redis://redis:6379');
    const token = proxy.env?.find((variable) => variable.name === 'KEYSTORE_SERVICE_TOKEN');
    expect(token?.valueFrom?.secretKeyRef).toMatchObject({ name: 'routemcp-tokens', key: 'KEYSTORE_SERVICE_TOKEN' });
  });

  it('lets in-flight requests finish: the api outlives endpoint removal, the grace period covers the drain', () => {
    const preStop = upstream.lifecycle?.preStop?.sleep?.seconds ?? 0;
    const drainSeconds = Number(envOf(proxy, 'SHUTDOWN_GRACE_MS')) / 1000;
    expect(preStop).toBeGreaterThan(0);
    expect(api.pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStop + drainSeconds);
  });

  it('keeps an api pod up through voluntary disruptions', () => {
    const pdb = find(manifests, 'PodDisruptionBudget', 'api');
    const spec = pdb.spec as { minAvailable: number; selector: { matchLabels: Record<string, string> } };
    for (const [label, value] of Object.entries(spec.selector.matchLabels)) expect(api.podLabels[label]).toBe(value);
    const deployment = find(manifests, 'Deployment', 'api').spec as { replicas: number };
    expect(deployment.replicas).toBeGreaterThan(spec.minAvailable);
  });
});
