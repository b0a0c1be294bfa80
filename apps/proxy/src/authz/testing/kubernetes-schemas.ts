import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProtoRoot } from './proto-root.ts';
import type { StructuralSchema } from './strict-schema.ts';

const vendored = join(import.meta.dirname, 'vendored');

export interface CrdSpecSchema {
  group: string;
  version: string;
  kind: string;
  /** Gateway API's release channel of the CRD the schema came from. */
  channel?: string;
  spec: StructuralSchema;
}

const read = (file: string) => JSON.parse(readFileSync(join(vendored, file), 'utf8')) as CrdSpecSchema;

/**
 * The `spec` schema of each custom resource the docs use, by kind, from the
 * CRD its project ships (vendored/README.md says from where). The apiVersion
 * here is the one the docs must use: the served, stored version.
 */
export const CRD_SPECS: Record<string, CrdSpecSchema> = Object.fromEntries(
  [
    'httproute-v1.spec.schema.json',
    'securitypolicy-v1alpha1.spec.schema.json',
    'authorizationpolicy-v1.spec.schema.json',
  ].map((file) => {
    const schema = read(file);
    return [schema.kind, schema];
  }),
);

/** Istio's MeshConfig, reduced to its ext_authz extension providers, with JSON (lowerCamel) field names. */
export const loadIstioMeshRoot = () => loadProtoRoot(['istio-mesh-ext-authz.proto'], [vendored], false);
