import { describe, expect, it } from 'vitest';
import { validateManifest } from './validate-manifest.ts';

describe('validateManifest', () => {
  it('accepts a valid object', async () => {
    await expect(
      validateManifest({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } }),
    ).resolves.toBeUndefined();
  });

  it('names the field that breaks the schema', async () => {
    await expect(
      validateManifest({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 's' },
        spec: { ports: [{ port: 'http' }] },
      }),
    ).rejects.toThrow(/spec\/ports\/0\/port must be integer/);
  });

  it('rejects kinds it has no schema for', async () => {
    await expect(
      validateManifest({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }),
    ).rejects.toThrow(/unknown apiVersion\/kind/);
  });
});
