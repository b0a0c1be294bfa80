import { describe, expect, it } from 'vitest';
import { generatedSecrets, imagesSet, loadManifests, VARIANTS, variantDir } from './manifests.ts';
import { validateManifest } from './validate-manifest.ts';

const SIDECAR = ['Deployment/api', 'Service/api', 'NetworkPolicy/api', 'PodDisruptionBudget/api'];
const SHARED = [
  'Service/keystore',
  'NetworkPolicy/keystore',
  'Deployment/redis',
  'Service/redis',
  'NetworkPolicy/redis',
  'Namespace/routemcp',
];
const AUTHZ = ['Deployment/authz', 'Service/authz', 'NetworkPolicy/authz', 'PodDisruptionBudget/authz'];
const PARTS: Record<(typeof VARIANTS)[number], string[]> = {
  deploy: [...SHARED, ...SIDECAR, 'StatefulSet/keystore'],
  'deploy/ha': [...SHARED, ...SIDECAR, 'Deployment/keystore', 'PodDisruptionBudget/keystore'],
  'deploy/ha-sample-postgres': [
    ...SHARED,
    ...SIDECAR,
    'Deployment/keystore',
    'PodDisruptionBudget/keystore',
    'StatefulSet/sample-postgres',
    'Service/sample-postgres',
    'NetworkPolicy/sample-postgres',
  ],
  // No api and no sidecar: the gateway forwards.
  'deploy/forward-auth': [...SHARED, 'StatefulSet/keystore', ...AUTHZ],
  'deploy/forward-auth-ha': [...SHARED, 'Deployment/keystore', 'PodDisruptionBudget/keystore', ...AUTHZ],
};

describe.each(VARIANTS)('%s/', (variant) => {
  const dir = variantDir(variant);
  const manifests = loadManifests(dir);

  it.each(manifests.map(({ file, manifest }) => [`${file}: ${manifest.kind}/${manifest.metadata.name}`, manifest]))(
    '%s validates against the Kubernetes schema',
    async (_name, manifest) => {
      await validateManifest(manifest);
    },
  );

  it.each(generatedSecrets(dir).map((secret) => [secret.metadata.name, secret]))(
    'generated Secret %s validates',
    async (_name, secret) => {
      await validateManifest(secret);
    },
  );

  it('has exactly the parts of this variant, each once', () => {
    const kinds = manifests.map(({ manifest }) => `${manifest.kind}/${manifest.metadata.name}`).sort();
    expect(kinds).toEqual([...PARTS[variant]].sort());
  });

  it('sets every image of ours through a kustomization', () => {
    const named = imagesSet(dir);
    const ours = manifests
      .flatMap(({ manifest }) => JSON.stringify(manifest).match(/"image":"routemcp\/[^"]+"/g) ?? [])
      .map((field) => field.slice('"image":"'.length, -1));
    expect(ours.length).toBeGreaterThan(0);
    for (const image of ours) expect(named).toContain(image);
  });

  it('keeps no secret values in the repository', () => {
    for (const secret of generatedSecrets(dir)) {
      for (const value of Object.values(secret.stringData as Record<string, string>)) expect(value).toBe('');
    }
    expect(manifests.filter(({ manifest }) => manifest.kind === 'Secret')).toEqual([]);
  });
});
