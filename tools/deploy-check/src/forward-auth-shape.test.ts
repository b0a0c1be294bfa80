import { describe, expect, it } from 'vitest';
import { find, loadManifests, variantDir } from './manifests.ts';
import { container, envOf, workload, workloads } from './pod-specs.ts';

/** The same authz (deploy/authz/) on either keystore: one StatefulSet on SQLite, or the replicas on PostgreSQL. */
describe.each([
  ['deploy/forward-auth', 'StatefulSet'],
  ['deploy/forward-auth-ha', 'Deployment'],
])('%s/: the proxy as a forward-auth service', (variant, keystoreKind) => {
  const manifests = loadManifests(variantDir(variant));
  const authz = workload(find(manifests, 'Deployment', 'authz'));
  const proxy = container(authz.pod, 'proxy');
  const portOf = (name: string) => proxy.ports?.find((p) => p.name === name)?.containerPort;

  it('runs the proxy alone: no sidecar, no upstream, no api anywhere in the variant', () => {
    expect(authz.pod.initContainers ?? []).toEqual([]);
    expect(authz.pod.containers.map((c) => c.name)).toEqual(['proxy']);
    expect(
      workloads(manifests)
        .map((w) => w.name)
        .sort(),
    ).toEqual(['authz', 'keystore', 'redis']);
    expect(envOf(proxy, 'UPSTREAM_URL')).toBeUndefined();
  });

  it(`asks its keystore (a ${keystoreKind}) through the Service every keystore sits behind`, () => {
    const keystore = workload(find(manifests, keystoreKind, 'keystore'));
    const service = find(manifests, 'Service', 'keystore').spec as {
      selector: Record<string, string>;
      ports: { port: number }[];
    };
    for (const [label, value] of Object.entries(service.selector)) expect(keystore.podLabels[label]).toBe(value);
    expect(envOf(proxy, 'KEYSTORE_URL')).toBe(`http://keystore:${service.ports[0]!.port}`);
  });

  it('opens only the forward-auth ports and the admin port', () => {
    expect(envOf(proxy, 'PROXY_PORT')).toBe('off');
    expect(portOf('authz')).toBe(Number(envOf(proxy, 'AUTHZ_PORT')));
    expect(portOf('authz-grpc')).toBe(Number(envOf(proxy, 'AUTHZ_GRPC_PORT')));
    expect(portOf('admin')).toBe(Number(envOf(proxy, 'PROXY_ADMIN_PORT')));
    expect(proxy.ports?.map((p) => p.name).sort()).toEqual(['admin', 'authz', 'authz-grpc']);
  });

  it('probes on the admin port, as the sidecar does', () => {
    for (const probe of [proxy.startupProbe, proxy.readinessProbe, proxy.livenessProbe])
      expect(probe?.httpGet?.port).toBe('admin');
    expect(proxy.readinessProbe?.httpGet?.path).toBe('/readyz');
  });

  it('is reached through its Service on the two authz ports only', () => {
    const spec = find(manifests, 'Service', 'authz').spec as {
      selector: Record<string, string>;
      ports: { name: string; targetPort: string }[];
    };
    for (const [label, value] of Object.entries(spec.selector)) expect(authz.podLabels[label]).toBe(value);
    // Istio reads the protocol from the port name's prefix.
    expect(spec.ports.map((p) => [p.name, p.targetPort])).toEqual([
      ['http-authz', 'authz'],
      ['grpc-authz', 'authz-grpc'],
    ]);
  });

  it('lets only gateway namespaces reach the authz ports, and scrapers the admin port', () => {
    const policy = find(manifests, 'NetworkPolicy', 'authz').spec as {
      podSelector: { matchLabels: Record<string, string> };
      policyTypes: string[];
      ingress: { from?: unknown[]; ports?: { port: number }[] }[];
    };
    for (const [label, value] of Object.entries(policy.podSelector.matchLabels))
      expect(authz.podLabels[label]).toBe(value);
    expect(policy.policyTypes).toEqual(['Ingress']);
    expect(policy.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'routemcp.dev/gateway': 'true' } } }],
        ports: [{ port: portOf('authz') }, { port: portOf('authz-grpc') }],
      },
      {
        from: [{ namespaceSelector: { matchLabels: { 'routemcp.dev/monitoring': 'true' } } }],
        ports: [{ port: portOf('admin') }],
      },
    ]);
  });

  it('keeps an authz pod up through drains: with none, every gateway refuses every request', () => {
    const pdb = find(manifests, 'PodDisruptionBudget', 'authz').spec as {
      minAvailable: number;
      selector: { matchLabels: Record<string, string> };
    };
    expect(pdb.minAvailable).toBe(1);
    for (const [label, value] of Object.entries(pdb.selector.matchLabels)) expect(authz.podLabels[label]).toBe(value);
    expect((find(manifests, 'Deployment', 'authz').spec as { replicas: number }).replicas).toBeGreaterThan(1);
  });
});
