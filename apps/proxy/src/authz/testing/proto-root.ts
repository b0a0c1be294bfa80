import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/**
 * Envoy's own `.proto` files as `@grpc/grpc-js-xds` vendors them from
 * envoyproxy/data-plane-api (the same ones grpc-protos.ts serves `Check`
 * from), with the xds, googleapis and protoc-gen-validate imports they need.
 */
export const ENVOY_PROTO_DIRS = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) =>
  join(packageDir('@grpc/grpc-js-xds'), 'deps', d),
);

/** The messages the documented Envoy configs name, directly or by `@type`. */
export const ENVOY_PROTO_FILES = [
  'envoy/config/bootstrap/v3/bootstrap.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/http/ext_authz/v3/ext_authz.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
];

/**
 * Loads `.proto` files into one protobufjs Root, resolving imports against
 * `dirs`. `google/protobuf/*` come from protobufjs itself (its built-in
 * well-known types, and the descriptor.proto it ships). `keepCase`: field
 * names as written in the .proto (snake_case, as Envoy's YAML spells them);
 * otherwise their JSON names (lowerCamel, as Istio's YAML spells them).
 */
export function loadProtoRoot(files: string[], dirs: string[], keepCase: boolean): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (target in protobuf.common) return target;
    if (target.startsWith('google/protobuf/')) return join(packageDir('protobufjs'), target);
    return dirs.map((d) => join(d, target)).find((p) => existsSync(p)) ?? target;
  };
  root.loadSync(files, { keepCase });
  root.resolveAll();
  return root;
}
