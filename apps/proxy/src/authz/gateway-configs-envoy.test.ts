import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { docBlocks, ENVOY_PROTO_DIRS, ENVOY_PROTO_FILES, loadProtoRoot, protoProblems } from './testing/index.ts';

/**
 * The Envoy configs of docs/forward-auth*.md, as written, against Envoy's own
 * protos (the data-plane-api files @grpc/grpc-js-xds ships). No Envoy binary
 * is installable here (none on npm or in Debian), so this is the check that
 * every field, enum and `@type` the docs name is one Envoy's loader knows,
 * and that the configs say what the docs promise.
 */
const DOCS = ['docs/forward-auth.md', 'docs/forward-auth-envoy.md'];
const root = loadProtoRoot(ENVOY_PROTO_FILES, ENVOY_PROTO_DIRS, true);

const blocks = DOCS.flatMap(docBlocks).flatMap((block) =>
  block.kind?.of === 'envoy'
    ? [{ ...block, message: block.kind.message, fragment: block.kind.fragment, config: parse(block.text) as unknown }]
    : [],
);

type Tree = Record<string, unknown>;
const at = (tree: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((node, key) => (node as Tree | unknown[] | undefined)?.[key as never], tree);

/** Every ext_authz filter config in a block, wherever it sits (a Bootstrap nests it inside the HCM's `@type`). */
function extAuthzConfigs(config: unknown): Tree[] {
  if (Array.isArray(config)) return config.flatMap(extAuthzConfigs);
  if (typeof config !== 'object' || config === null) return [];
  const tree = config as Tree;
  const own = tree['name'] === 'envoy.filters.http.ext_authz' ? [tree['typed_config'] as Tree] : [];
  return [...own, ...Object.values(tree).flatMap(extAuthzConfigs)];
}

describe('the Envoy configs in docs/forward-auth*.md', () => {
  it('finds both, each marked with the message it is', () => {
    expect(blocks.map((b) => b.message)).toEqual([
      'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
      'envoy.config.bootstrap.v3.Bootstrap',
    ]);
  });

  it.each(blocks.map((b) => [b.where, b] as const))('%s: every field, enum and @type is Envoy’s', (_where, block) => {
    expect(protoProblems(root, block.message, block.config, { fragment: block.fragment })).toEqual([]);
  });

  it('every ext_authz filter is the v3 API, fails closed with a 503, and has a timeout', () => {
    const filters = blocks.flatMap((b) => extAuthzConfigs(b.config));
    expect(filters).toHaveLength(2);
    for (const filter of filters) {
      expect(filter['@type']).toBe('type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz');
      expect(filter['transport_api_version']).toBe('V3');
      // Absent is false too: the proto3 default.
      expect(filter['failure_mode_allow'] ?? false).toBe(false);
      expect(filter['status_on_error']).toEqual({ code: 'ServiceUnavailable' });
      const timeout = at(filter, 'grpc_service', 'timeout') ?? at(filter, 'http_service', 'server_uri', 'timeout');
      expect(timeout).toMatch(/^\d+(\.\d+)?s$/);
    }
  });

  it('the gRPC one asks the authz cluster over HTTP/2 and keeps Envoy’s path normalisation on', () => {
    const bootstrap = blocks.find((b) => b.message.endsWith('.Bootstrap'))!.config;
    const [grpc] = extAuthzConfigs(bootstrap);
    const cluster = at(grpc, 'grpc_service', 'envoy_grpc', 'cluster_name');
    const clusters = at(bootstrap, 'static_resources', 'clusters') as Tree[];
    const authz = clusters.find((c) => c['name'] === cluster);
    expect(authz).toBeDefined();
    expect(
      at(authz, 'typed_extension_protocol_options', 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions'),
    ).toMatchObject({ explicit_http_config: { http2_protocol_options: {} } });
    const hcm = at(bootstrap, 'static_resources', 'listeners', 0, 'filter_chains', 0, 'filters', 0, 'typed_config');
    // forward-auth-envoy.md: what reaches the authz is canonical, and the client address is Envoy's peer.
    expect(hcm).toMatchObject({ normalize_path: true, merge_slashes: true, use_remote_address: true });
    // The router comes last: a filter after it never runs.
    const names = (at(hcm, 'http_filters') as Tree[]).map((f) => f['name']);
    expect(names).toEqual(['envoy.filters.http.ext_authz', 'envoy.filters.http.router']);
  });

  it('the HTTP one asks /authz<path>, sends the key and the client, and passes up only x-routemcp-*', () => {
    const fragment = blocks.find((b) => b.message.endsWith('.HttpConnectionManager'))!.config;
    const [http] = extAuthzConfigs(fragment);
    const service = at(http, 'http_service') as Tree;
    expect(service['path_prefix']).toBe('/authz');
    // Envoy's HTTP service always sends Authorization, Host, Method, Path and
    // Content-Length (ext_authz.proto, the note on ExtAuthz.allowed_headers),
    // so the key needs no listing; the client address is added.
    expect(at(service, 'authorization_request', 'headers_to_add')).toEqual([
      { key: 'x-forwarded-for', value: '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%' },
    ]);
    expect(at(service, 'authorization_response', 'allowed_upstream_headers', 'patterns')).toEqual([
      { prefix: 'x-routemcp-' },
    ]);
    expect(at(service, 'authorization_response', 'allowed_client_headers', 'patterns')).toEqual(
      expect.arrayContaining([{ exact: 'retry-after' }, { prefix: 'ratelimit' }]),
    );
    expect(at(service, 'authorization_response', 'allowed_client_headers_on_success', 'patterns')).toEqual([
      { prefix: 'ratelimit' },
    ]);
  });
});

describe('the check fails on what Envoy would refuse, naming the field', () => {
  const bootstrap = blocks.find((b) => b.message.endsWith('.Bootstrap'))!;
  const fragment = blocks.find((b) => b.message.endsWith('.HttpConnectionManager'))!;
  const HCM = '$.static_resources.listeners[0].filter_chains[0].filters[0].typed_config';
  const EXT_AUTHZ = `${HCM}.http_filters[0].typed_config`;

  /** The documented Bootstrap with one change made to its ext_authz filter. */
  function mutated(change: (extAuthz: Tree, hcm: Tree) => void): string[] {
    const copy = structuredClone(bootstrap.config);
    const hcm = at(copy, 'static_resources', 'listeners', 0, 'filter_chains', 0, 'filters', 0, 'typed_config') as Tree;
    change(at(hcm, 'http_filters', 0, 'typed_config') as Tree, hcm);
    return protoProblems(root, bootstrap.message, copy);
  }
  const rename = (tree: Tree, from: string, to: string) => {
    tree[to] = tree[from];
    delete tree[from];
  };

  it('a misspelt field, deep inside an Any', () => {
    expect(mutated((f) => rename(f, 'failure_mode_allow', 'failure_mode_alow'))).toEqual([
      `${EXT_AUTHZ}.failure_mode_alow: envoy.extensions.filters.http.ext_authz.v3.ExtAuthz has no field "failure_mode_alow"`,
    ]);
    expect(mutated((_f, hcm) => rename(hcm, 'merge_slashes', 'merge_slash'))).toEqual([
      `${HCM}.merge_slash: envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager has no field "merge_slash"`,
    ]);
  });

  it('a field in lowerCamel (the docs write proto names, as Envoy’s own examples do)', () => {
    expect(mutated((f) => rename(f, 'transport_api_version', 'transportApiVersion'))).toEqual([
      `${EXT_AUTHZ}.transportApiVersion: envoy.extensions.filters.http.ext_authz.v3.ExtAuthz has no field "transportApiVersion"`,
    ]);
  });

  it('an enum name the enum does not have, and a deprecated one', () => {
    expect(mutated((f) => (f['transport_api_version'] = 'V4'))).toEqual([
      `${EXT_AUTHZ}.transport_api_version: envoy.config.core.v3.ApiVersion has no value "V4"`,
    ]);
    expect(mutated((f) => (f['transport_api_version'] = 'V2'))).toEqual([
      `${EXT_AUTHZ}.transport_api_version: V2 is deprecated in envoy.config.core.v3.ApiVersion`,
    ]);
    expect(mutated((f) => (f['status_on_error'] = { code: 'Unavailable' }))).toEqual([
      `${EXT_AUTHZ}.status_on_error.code: envoy.type.v3.StatusCode has no value "Unavailable"`,
    ]);
  });

  it('a Duration not in Envoy’s "0.5s" form', () => {
    expect(mutated((f) => ((f['grpc_service'] as Tree)['timeout'] = '500ms'))).toEqual([
      `${EXT_AUTHZ}.grpc_service.timeout: a Duration is written "0.25s", got "500ms"`,
    ]);
  });

  it('an @type no loaded proto defines', () => {
    expect(
      mutated((f) => (f['@type'] = 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuth')),
    ).toEqual([`${EXT_AUTHZ}.@type: no message envoy.extensions.filters.http.ext_authz.v3.ExtAuth is loaded`]);
  });

  it('a field or oneof protoc-gen-validate requires, left out (but not at the top of a fragment)', () => {
    expect(mutated((f) => delete (f['grpc_service'] as { envoy_grpc: Tree }).envoy_grpc['cluster_name'])).toEqual([
      `${EXT_AUTHZ}.grpc_service.envoy_grpc: envoy.config.core.v3.GrpcService.EnvoyGrpc requires "cluster_name"`,
    ]);
    expect(mutated((_f, hcm) => delete hcm['route_config'])).toEqual([
      `${HCM}: envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager requires one of rds, route_config, scoped_routes`,
    ]);
    expect(protoProblems(root, fragment.message, fragment.config)).toEqual([
      '$: envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager requires "stat_prefix"',
      '$: envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager requires one of rds, route_config, scoped_routes',
    ]);
  });

  it('two members of one oneof', () => {
    expect(mutated((f) => (f['http_service'] = {}))).toEqual([
      `${EXT_AUTHZ}.http_service: "grpc_service" is already set in oneof services`,
    ]);
  });

  it('a deprecated field, and a wrapper that is not its scalar', () => {
    const copy = structuredClone(fragment.config);
    const request = at(copy, 'http_filters', 0, 'typed_config', 'http_service', 'authorization_request') as Tree;
    request['allowed_headers'] = { patterns: [{ exact: 'x-api-key' }] };
    expect(protoProblems(root, fragment.message, copy, { fragment: true })).toEqual([
      '$.http_filters[0].typed_config.http_service.authorization_request.allowed_headers: deprecated in envoy.extensions.filters.http.ext_authz.v3.AuthorizationRequest',
    ]);
    expect(
      protoProblems(root, 'envoy.config.cluster.v3.Cluster', { name: 'a', per_connection_buffer_limit_bytes: 'lots' }),
    ).toEqual(['$.per_connection_buffer_limit_bytes: expected uint32, got "lots"']);
    expect(
      protoProblems(root, 'envoy.config.cluster.v3.Cluster', { name: 'a', per_connection_buffer_limit_bytes: 32768 }),
    ).toEqual([]);
  });
});
