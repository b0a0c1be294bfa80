import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  CRD_SPECS,
  docBlocks,
  loadIstioMeshRoot,
  protoProblems,
  schemaProblems,
  workspaceRoot,
} from './testing/index.ts';

/**
 * The Istio, Envoy Gateway and Gateway API manifests of
 * docs/forward-auth-envoy.md, against the schemas their projects ship
 * (vendored under testing/vendored/, origin in its README.md): no cluster and
 * no controller is installable here (Debian has kubectl but no CRD
 * validator such as kubeconform), so this is the check that every field the
 * docs name is one the API server keeps rather than prunes, and that they
 * point at the Service deploy/forward-auth/ creates.
 *
 * apiVersions, as checked in the projects' sources:
 * - Istio AuthorizationPolicy: security.istio.io/v1 (istio/api
 *   kubernetes/customresourcedefinitions.gen.yaml: v1 served and stored,
 *   v1beta1 still served);
 * - Envoy Gateway SecurityPolicy: gateway.envoyproxy.io/v1alpha1 (its only
 *   version, charts/gateway-helm/.../gateway.envoyproxy.io_securitypolicies.yaml);
 *   `extAuth.timeout` is in v1.6.0 and later (default 10 s), `statusOnError`
 *   in v1.8.0 and later (default 403): api/v1alpha1/ext_auth_types.go at
 *   those tags;
 * - Gateway API HTTPRoute: gateway.networking.k8s.io/v1, with the
 *   `ExternalAuth` filter (GEP-1494) only in the experimental channel's CRD
 *   (config/crd/experimental/; the standard one has no `externalAuth`;
 *   apis/v1/httproute_types.go HTTPExternalAuthFilter).
 */
const DOCS = ['docs/forward-auth.md', 'docs/forward-auth-envoy.md'];
const meshRoot = loadIstioMeshRoot();

type Tree = Record<string, unknown>;
const docs = DOCS.flatMap(docBlocks)
  .filter((block) => block.kind?.of === 'kubernetes')
  .flatMap((block) =>
    parseAllDocuments(block.text).map((doc, i) => {
      if (doc.errors.length > 0) throw new Error(`${block.where}: ${doc.errors[0]?.message}`);
      return { where: `${block.where} document ${i + 1}`, doc: doc.toJS() as Tree };
    }),
  );
const ofKind = (kind: string) => docs.find((d) => d.doc['kind'] === kind)!.doc;
const meshConfig = docs.find((d) => 'meshConfig' in d.doc)!.doc['meshConfig'] as Tree;

/** A manifest: apiVersion and kind current, metadata plain, spec as its CRD has it. */
function manifestProblems(doc: Tree): string[] {
  if ('meshConfig' in doc) {
    const { meshConfig: mesh, ...rest } = doc;
    return [
      ...Object.keys(rest).map((k) => `$.${k}: beside meshConfig`),
      ...protoProblems(meshRoot, 'istio.mesh.v1alpha1.MeshConfig', mesh, { path: '$.meshConfig' }),
    ];
  }
  const { apiVersion, kind, metadata, spec, ...rest } = doc;
  const crd = CRD_SPECS[kind as string];
  if (!crd) return [`$.kind: ${JSON.stringify(kind)} has no vendored schema`];
  return [
    ...(apiVersion === `${crd.group}/${crd.version}`
      ? []
      : [`$.apiVersion: ${apiVersion} (current: ${crd.group}/${crd.version})`]),
    ...Object.keys(rest).map((k) => `$.${k}: no such field`),
    ...schemaProblems(
      {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string' }, namespace: { type: 'string' }, labels: {}, annotations: {} },
      },
      metadata,
      '$.metadata',
    ),
    ...schemaProblems(crd.spec, spec, '$.spec'),
  ];
}

/** deploy/forward-auth/'s Service (deploy/authz/, shared with forward-auth-ha/): where every manifest here must send its checks. */
const deployed = (() => {
  const kustomization = parse(
    readFileSync(join(workspaceRoot, 'deploy/forward-auth/kustomization.yaml'), 'utf8'),
  ) as Tree;
  const service = parseAllDocuments(readFileSync(join(workspaceRoot, 'deploy/authz/authz.yaml'), 'utf8'))
    .map((d) => d.toJS() as Tree)
    .find((d) => d['kind'] === 'Service')!;
  const ports = (service['spec'] as { ports: { name: string; port: number }[] }).ports;
  return {
    name: (service['metadata'] as Tree)['name'],
    namespace: kustomization['namespace'],
    grpcPort: ports.find((p) => p.name === 'grpc-authz')!.port,
  };
})();

describe('the Kubernetes manifests in docs/forward-auth*.md', () => {
  it('finds the Istio mesh config and policy, the SecurityPolicy and the HTTPRoute', () => {
    expect(docs.map((d) => d.doc['kind'] ?? Object.keys(d.doc).join())).toEqual([
      'meshConfig',
      'AuthorizationPolicy',
      'SecurityPolicy',
      'HTTPRoute',
    ]);
  });

  it.each(docs.map((d) => [d.where, d.doc] as const))('%s: every field is in its schema', (_where, doc) => {
    expect(manifestProblems(doc)).toEqual([]);
  });

  it('the HTTPRoute filter is the experimental channel’s: the standard CRD has no ExternalAuth', () => {
    expect(CRD_SPECS['HTTPRoute']!.channel).toBe('experimental');
  });

  it('each asks the gRPC port of deploy/forward-auth/’s Service', () => {
    const [provider] = meshConfig['extensionProviders'] as Tree[];
    expect(provider!['envoyExtAuthzGrpc']).toMatchObject({
      service: `${deployed.name}.${deployed.namespace}.svc.cluster.local`,
      port: deployed.grpcPort,
    });
    const backend = { name: deployed.name, namespace: deployed.namespace, port: deployed.grpcPort };
    expect(ofKind('SecurityPolicy')).toMatchObject({ spec: { extAuth: { grpc: { backendRefs: [backend] } } } });
    const [filter] = ((ofKind('HTTPRoute')['spec'] as Tree)['rules'] as Tree[])[0]!['filters'] as Tree[];
    expect(filter).toEqual({ type: 'ExternalAuth', externalAuth: { protocol: 'GRPC', backendRef: backend, grpc: {} } });
  });

  it('Istio: the policy uses the provider, which has a timeout (its default was 10 minutes) and fails closed with 503', () => {
    const [provider] = meshConfig['extensionProviders'] as Tree[];
    expect(ofKind('AuthorizationPolicy')['spec']).toMatchObject({
      action: 'CUSTOM',
      provider: { name: provider!['name'] },
    });
    const grpc = provider!['envoyExtAuthzGrpc'] as Tree;
    // config.proto, EnvoyExternalAuthorizationGrpcProvider.timeout: "default timeout: 600s".
    expect(grpc['timeout']).toMatch(/^\d+(\.\d+)?s$/);
    expect(grpc['failOpen'] ?? false).toBe(false);
    expect(grpc['statusOnError']).toBe('503');
  });

  it('Envoy Gateway: fails closed with 503, with a timeout', () => {
    const extAuth = (ofKind('SecurityPolicy')['spec'] as Tree)['extAuth'] as Tree;
    expect(extAuth['failOpen'] ?? false).toBe(false);
    expect(extAuth['statusOnError']).toBe(503);
    expect(extAuth['timeout']).toMatch(/^\d+(ms|s)$/);
  });
});

describe('the manifest check fails on a field the API server would prune, naming it', () => {
  const mutated = (kind: string, change: (spec: Tree) => void) => {
    const doc = structuredClone(ofKind(kind));
    change(doc['spec'] as Tree);
    return manifestProblems(doc);
  };

  it('a misspelt field in a SecurityPolicy and in an HTTPRoute filter', () => {
    expect(
      mutated('SecurityPolicy', (spec) => {
        const extAuth = spec['extAuth'] as Tree;
        extAuth['failopen'] = extAuth['failOpen'];
        delete extAuth['failOpen'];
      }),
    ).toEqual(['$.spec.extAuth.failopen: no such field']);
    expect(
      mutated('HTTPRoute', (spec) => {
        const filter = ((spec['rules'] as Tree[])[0]!['filters'] as Tree[])[0]!;
        filter['externalAuth'] = { ...(filter['externalAuth'] as Tree), grpcConfig: {} };
      }),
    ).toEqual(['$.spec.rules[0].filters[0].externalAuth.grpcConfig: no such field']);
  });

  it('an enum value, a Duration and a required field', () => {
    expect(mutated('AuthorizationPolicy', (spec) => (spec['action'] = 'EXTERNAL'))).toEqual([
      '$.spec.action: "EXTERNAL" is not one of ["ALLOW","DENY","AUDIT","CUSTOM"]',
    ]);
    expect(mutated('SecurityPolicy', (spec) => ((spec['extAuth'] as Tree)['timeout'] = '0.5s'))).toEqual([
      '$.spec.extAuth.timeout: "0.5s" does not match ^([0-9]{1,5}(h|m|s|ms)){1,4}$',
    ]);
    expect(
      mutated('HTTPRoute', (spec) => {
        const filter = ((spec['rules'] as Tree[])[0]!['filters'] as Tree[])[0]!;
        delete (filter['externalAuth'] as Tree)['backendRef'];
      }),
    ).toEqual(['$.spec.rules[0].filters[0].externalAuth: "backendRef" is required']);
  });

  it('a CEL rule of the CRD: ExternalAuth over GRPC without its grpc block (as the docs had it)', () => {
    expect(
      mutated('HTTPRoute', (spec) => {
        const filter = ((spec['rules'] as Tree[])[0]!['filters'] as Tree[])[0]!;
        delete (filter['externalAuth'] as Tree)['grpc'];
      }),
    ).toEqual(["$.spec.rules[0].filters[0].externalAuth: grpc must be specified when protocol is set to 'GRPC'"]);
  });

  it('an older apiVersion, and a misspelt Istio provider field', () => {
    expect(manifestProblems({ ...ofKind('AuthorizationPolicy'), apiVersion: 'security.istio.io/v1beta1' })).toEqual([
      '$.apiVersion: security.istio.io/v1beta1 (current: security.istio.io/v1)',
    ]);
    const mesh = structuredClone(meshConfig);
    const grpc = (mesh['extensionProviders'] as Tree[])[0]!['envoyExtAuthzGrpc'] as Tree;
    grpc['timout'] = grpc['timeout'];
    delete grpc['timeout'];
    expect(manifestProblems({ meshConfig: mesh })).toEqual([
      '$.meshConfig.extensionProviders[0].envoyExtAuthzGrpc.timout: istio.mesh.v1alpha1.MeshConfig.ExtensionProvider.EnvoyExternalAuthorizationGrpcProvider has no field "timout"',
    ]);
  });
});

describe('docs/forward-auth*.md', () => {
  it('marks every YAML block with what it is checked against', () => {
    const unmarked = DOCS.flatMap(docBlocks).filter((b) => b.lang === 'yaml' && b.kind === undefined);
    expect(unmarked.map((b) => b.where)).toEqual([]);
  });
});
