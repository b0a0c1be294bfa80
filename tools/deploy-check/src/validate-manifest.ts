import type { Manifest } from './manifests.ts';

interface Model {
  validate(): void;
}
type Models = Record<string, (new (data: unknown) => Model) | undefined>;

/** The API groups deploy/ uses; adding a kind from another group means adding its module here. */
const groups: Record<string, () => Promise<Models>> = {
  v1: () => import('kubernetes-models/v1') as Promise<Models>,
  'apps/v1': () => import('kubernetes-models/apps/v1') as Promise<Models>,
  'networking.k8s.io/v1': () => import('kubernetes-models/networking.k8s.io/v1') as Promise<Models>,
  'policy/v1': () => import('kubernetes-models/policy/v1') as Promise<Models>,
  'monitoring.coreos.com/v1': () =>
    import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1') as Promise<Models>,
};

/**
 * Validates one object against the Kubernetes OpenAPI schema of its
 * apiVersion and kind, as shipped by `kubernetes-models` (no cluster, no
 * network). Throws naming the first failing field, or when the kind is
 * unknown. The schemas allow unknown fields, so typos in field names pass
 * here: the shape tests catch the ones that matter.
 */
export async function validateManifest(manifest: Manifest): Promise<void> {
  const models = await groups[manifest.apiVersion]?.();
  const Kind = models?.[manifest.kind];
  if (!Kind) throw new Error(`unknown apiVersion/kind ${manifest.apiVersion} ${manifest.kind}`);
  new Kind(manifest).validate();
}
