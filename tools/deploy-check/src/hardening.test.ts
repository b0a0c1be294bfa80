import { describe, expect, it } from 'vitest';
import { find, loadManifests, VARIANTS, variantDir } from './manifests.ts';
import { allContainers, workloads } from './pod-specs.ts';

const manifests = loadManifests();

describe.each(VARIANTS)('every workload in %s/', (variant) => {
  const manifests = loadManifests(variantDir(variant));
  const containers = workloads(manifests).flatMap((w) => allContainers(w.pod).map((c) => ({ w, c })));

  it.each(workloads(manifests).map((w) => [w.name, w]))(
    '%s runs as non-root with the default seccomp profile',
    (_name, w) => {
      expect(w.pod.securityContext?.runAsNonRoot).toBe(true);
      expect(w.pod.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(w.pod.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
      expect(w.pod.automountServiceAccountToken).toBe(false);
    },
  );

  it.each(containers.map(({ w, c }) => [`${w.name}/${c.name}`, c]))(
    '%s: read-only root, no privilege escalation, no capabilities, bounded resources, probes',
    (_name, c) => {
      expect(c.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(c.resources?.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      expect(c.resources?.limits?.memory).toEqual(expect.any(String));
      expect(c.readinessProbe).toBeDefined();
      expect(c.livenessProbe).toBeDefined();
    },
  );
});

describe.each(VARIANTS)('network policies in %s/', (variant) => {
  const manifests = loadManifests(variantDir(variant));
  const proxyLabel = { 'routemcp.dev/proxy': 'true' };
  // The proxies of this variant: the api's sidecar, or the forward-auth service.
  const proxies = workloads(manifests).filter((w) => w.name === 'api' || w.name === 'authz');

  // The keystore's /metrics shares its one port: scrapers from monitoring namespaces get in there too.
  it.each([
    ['keystore', [{ namespaceSelector: { matchLabels: { 'routemcp.dev/monitoring': 'true' } } }]],
    ['redis', []],
  ] as const)('only proxy pods (and scrapers) reach %s', (name, scrapers) => {
    const policy = find(manifests, 'NetworkPolicy', name).spec as {
      podSelector: { matchLabels: Record<string, string> };
      policyTypes: string[];
      ingress: { from?: unknown[]; ports?: { port: number }[] }[];
    };
    const target = workloads(manifests).find((w) => w.name === name);
    for (const [label, value] of Object.entries(policy.podSelector.matchLabels))
      expect(target?.podLabels[label]).toBe(value);
    expect(policy.policyTypes).toContain('Ingress');
    expect(policy.ingress).toHaveLength(1 + (scrapers.length > 0 ? 1 : 0));
    expect(policy.ingress[0]?.from).toEqual([{ podSelector: { matchLabels: proxyLabel } }]);
    if (scrapers.length > 0) expect(policy.ingress[1]).toEqual({ from: scrapers, ports: [{ port: 5003 }] });
    expect(proxies.length).toBeGreaterThan(0);
    for (const proxy of proxies) expect(proxy.podLabels).toMatchObject(proxyLabel);
  });
});

describe('the keystore', () => {
  it('keeps its SQLite file on a persistent volume', () => {
    const statefulSet = find(manifests, 'StatefulSet', 'keystore').spec as {
      replicas: number;
      volumeClaimTemplates: { metadata: { name: string } }[];
      template: {
        spec: {
          containers: {
            env: { name: string; value?: string }[];
            volumeMounts: { name: string; mountPath: string }[];
          }[];
        };
      };
    };
    expect(statefulSet.replicas).toBe(1);
    const keystore = statefulSet.template.spec.containers[0]!;
    const db = keystore.env.find((variable) => variable.name === 'KEYSTORE_DB')?.value ?? '';
    const claim = statefulSet.volumeClaimTemplates[0]!.metadata.name;
    const mount = keystore.volumeMounts.find((m) => m.name === claim);
    expect(db.startsWith(`${mount?.mountPath}/`)).toBe(true);
  });
});
