import { describe, expect, it } from 'vitest';
import { generatedSecrets, loadKustomization, loadManifests } from './manifests.ts';
import { validateManifest } from './validate-manifest.ts';

const manifests = loadManifests();

describe('deploy/ manifests', () => {
  it.each(manifests.map(({ file, manifest }) => [`${file}: ${manifest.kind}/${manifest.metadata.name}`, manifest]))(
    '%s validates against the Kubernetes schema',
    async (_name, manifest) => {
      await validateManifest(manifest);
    },
  );

  it.each(generatedSecrets().map((secret) => [secret.metadata.name, secret]))(
    'generated Secret %s validates',
    async (_name, secret) => {
      await validateManifest(secret);
    },
  );

  it('has the parts the sidecar deployment needs', () => {
    const kinds = manifests.map(({ manifest }) => `${manifest.kind}/${manifest.metadata.name}`).sort();
    expect(kinds).toEqual(
      expect.arrayContaining([
        'Deployment/api',
        'Service/api',
        'PodDisruptionBudget/api',
        'StatefulSet/keystore',
        'Service/keystore',
        'NetworkPolicy/keystore',
        'Deployment/redis',
        'Service/redis',
        'Namespace/routemcp',
      ]),
    );
  });

  it('sets every image through the kustomization', () => {
    const named = new Set((loadKustomization().images ?? []).map((image) => image.name));
    const ours = manifests
      .flatMap(({ manifest }) => JSON.stringify(manifest).match(/"image":"routemcp\/[^"]+"/g) ?? [])
      .map((field) => field.slice('"image":"'.length, -1));
    expect(ours.length).toBeGreaterThan(0);
    for (const image of ours) expect(named).toContain(image);
  });

  it('keeps no secret values in the repository', () => {
    for (const secret of generatedSecrets()) {
      for (const value of Object.values(secret.stringData as Record<string, string>)) expect(value).toBe('');
    }
    expect(manifests.filter(({ manifest }) => manifest.kind === 'Secret')).toEqual([]);
  });
});
