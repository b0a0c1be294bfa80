import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IContainer } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { deployDir, find, generatedSecrets, loadManifests, variantDir, type Manifest } from './manifests.ts';
import { container, envOf, workload, workloads } from './pod-specs.ts';

const ha = loadManifests(variantDir('deploy/ha'));
const sample = loadManifests(variantDir('deploy/ha-sample-postgres'));
const deployment = find(ha, 'Deployment', 'keystore');
const keystore = workload(deployment);
const replica = container(keystore.pod, 'keystore');
const spec = deployment.spec as { replicas: number; strategy: { rollingUpdate: { maxUnavailable: number } } };

const secretRef = (c: IContainer, name: string) => c.env?.find((variable) => variable.name === name)?.valueFrom;
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([label, value]) => labels[label] === value);

describe('deploy/ha/: the keystore as replicas on PostgreSQL', () => {
  it('runs at least two replicas, never fewer during a rollout, spread over nodes', () => {
    expect(spec.replicas).toBeGreaterThanOrEqual(2);
    expect(spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    const spread = keystore.pod.topologySpreadConstraints ?? [];
    expect(spread.map((c) => c.topologyKey)).toContain('kubernetes.io/hostname');
    for (const constraint of spread)
      expect(selects(constraint.labelSelector?.matchLabels ?? {}, keystore.podLabels)).toBe(true);
  });

  it('keeps one replica up through voluntary disruptions', () => {
    const pdb = find(ha, 'PodDisruptionBudget', 'keystore').spec as {
      minAvailable: number;
      selector: { matchLabels: Record<string, string> };
    };
    expect(selects(pdb.selector.matchLabels, keystore.podLabels)).toBe(true);
    expect(pdb.minAvailable).toBeGreaterThanOrEqual(1);
    expect(pdb.minAvailable).toBeLessThan(spec.replicas);
  });

  it('takes the database URL from a Secret generated from a git-ignored file, and sets no KEYSTORE_DB', () => {
    expect(secretRef(replica, 'KEYSTORE_DATABASE_URL')?.secretKeyRef).toEqual({
      name: 'keystore-database',
      key: 'KEYSTORE_DATABASE_URL',
    });
    expect(replica.env?.map((variable) => variable.name)).not.toContain('KEYSTORE_DB');
    const secret = generatedSecrets(variantDir('deploy/ha')).find((s) => s.metadata.name === 'keystore-database');
    expect(Object.keys(secret?.stringData as Record<string, string>)).toContain('KEYSTORE_DATABASE_URL');
    expect(readFileSync(join(deployDir, '.gitignore'), 'utf8').split('\n')).toContain('database.env');
  });

  it('keeps nothing on the pod: no volume but /tmp, so any replica can go and come back anywhere', () => {
    expect(keystore.pod.volumes?.map((volume) => Object.keys(volume).sort())).toEqual([['emptyDir', 'name']]);
    expect(replica.volumeMounts?.map((mount) => mount.mountPath)).toEqual(['/tmp']);
  });

  it('is ready only while its database answers, alive while the process does', () => {
    expect(replica.readinessProbe?.httpGet).toMatchObject({ path: '/readyz', port: 'http' });
    expect(replica.livenessProbe?.httpGet).toMatchObject({ path: '/healthz', port: 'http' });
    expect(replica.lifecycle?.preStop?.sleep?.seconds).toBeGreaterThan(0);
  });

  it('stays behind the keystore Service and NetworkPolicy the proxies already use', () => {
    const service = find(ha, 'Service', 'keystore').spec as { selector: Record<string, string> };
    expect(selects(service.selector, keystore.podLabels)).toBe(true);
    const policy = find(ha, 'NetworkPolicy', 'keystore').spec as {
      podSelector: { matchLabels: Record<string, string> };
    };
    expect(selects(policy.podSelector.matchLabels, keystore.podLabels)).toBe(true);
    const proxy = container(workload(find(ha, 'Deployment', 'api')).pod, 'proxy');
    expect(envOf(proxy, 'KEYSTORE_URL')).toBe('http://keystore:5003');
    expect(secretRef(replica, 'KEYSTORE_SERVICE_TOKEN')?.secretKeyRef).toEqual(
      secretRef(proxy, 'KEYSTORE_SERVICE_TOKEN')?.secretKeyRef,
    );
  });

  it('brings no database of its own: the sample is a separate kustomization', () => {
    expect(ha.filter(({ manifest }) => manifest.metadata.labels?.['routemcp.dev/sample'] !== undefined)).toEqual([]);
    expect(
      workloads(ha)
        .map((w) => w.name)
        .sort(),
    ).toEqual(['api', 'keystore', 'redis']);
  });
});

describe('deploy/forward-auth-ha/: the keystore of deploy/ha/ under the forward-auth service', () => {
  const forwardAuth = loadManifests(variantDir('deploy/forward-auth-ha'));

  it('runs the same replicas and PodDisruptionBudget as deploy/ha/, field for field', () => {
    expect(find(forwardAuth, 'Deployment', 'keystore')).toEqual(deployment);
    expect(find(forwardAuth, 'PodDisruptionBudget', 'keystore')).toEqual(find(ha, 'PodDisruptionBudget', 'keystore'));
  });

  it('generates the Secret and key the replicas read', () => {
    const secret = generatedSecrets(variantDir('deploy/forward-auth-ha')).find(
      (s) => s.metadata.name === 'keystore-database',
    );
    expect(Object.keys(secret?.stringData as Record<string, string>)).toContain('KEYSTORE_DATABASE_URL');
  });
});

describe('deploy/ha-sample-postgres/: deploy/ha/ with a sample PostgreSQL', () => {
  const own = sample.filter(({ file }) => file.startsWith('ha-sample-postgres/')).map(({ manifest }) => manifest);
  const postgres = workload(find(sample, 'StatefulSet', 'sample-postgres'));
  const server = container(postgres.pod, 'postgres');

  it('marks every object it adds, and the pods, as a sample', () => {
    expect(own.map((m: Manifest) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      'NetworkPolicy/sample-postgres',
      'Service/sample-postgres',
      'StatefulSet/sample-postgres',
    ]);
    for (const manifest of own) expect(manifest.metadata.labels?.['routemcp.dev/sample'], manifest.kind).toBe('true');
    expect(postgres.podLabels['routemcp.dev/sample']).toBe('true');
  });

  it('is the database the URL in database.env.example points at, with the password from the same Secret', () => {
    const example = readFileSync(join(variantDir('deploy/ha'), 'database.env.example'), 'utf8');
    const service = find(sample, 'Service', 'sample-postgres').spec as { ports: { port: number }[] };
    expect(example).toContain(
      `postgres://keystore:<password>@sample-postgres:${service.ports[0]!.port}/${envOf(server, 'POSTGRES_DB')}`,
    );
    expect(envOf(server, 'POSTGRES_USER')).toBe('keystore');
    expect(secretRef(server, 'POSTGRES_PASSWORD')?.secretKeyRef).toEqual({
      name: 'keystore-database',
      key: 'POSTGRES_PASSWORD',
    });
  });

  it('lets only the keystore replicas reach it', () => {
    const policy = find(sample, 'NetworkPolicy', 'sample-postgres').spec as {
      podSelector: { matchLabels: Record<string, string> };
      ingress: { from: { podSelector: { matchLabels: Record<string, string> } }[]; ports: { port: number }[] }[];
    };
    expect(selects(policy.podSelector.matchLabels, postgres.podLabels)).toBe(true);
    expect(policy.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'keystore' } } }], ports: [{ port: 5432 }] },
    ]);
  });

  it('keeps its data on a persistent volume, in a subdirectory initdb can own', () => {
    const claims = (
      find(sample, 'StatefulSet', 'sample-postgres').spec as {
        volumeClaimTemplates: { metadata: { name: string } }[];
      }
    ).volumeClaimTemplates;
    const mount = server.volumeMounts?.find((m) => m.name === claims[0]?.metadata.name);
    expect(envOf(server, 'PGDATA')?.startsWith(`${mount?.mountPath}/`)).toBe(true);
  });
});

describe('docs/deploying.md', () => {
  const readme = readFileSync(join(deployDir, '..', 'docs', 'deploying.md'), 'utf8');

  it.each(['REDIS_CLUSTER_URLS', 'REDIS_SENTINEL_URLS', 'REDIS_SENTINEL_MASTER', 'kubectl apply -k deploy/ha/'])(
    'documents %s for the HA setup',
    (text) => {
      expect(readme).toContain(text);
    },
  );
});
