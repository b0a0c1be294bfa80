import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/**
 * Envoy's own `.proto` files, as `@grpc/grpc-js-xds` vendors them from
 * envoyproxy/data-plane-api (with the xds, googleapis and
 * protoc-gen-validate imports they need) under its `deps/`: read here, never
 * copied, so the wire format is Envoy's and follows its releases.
 */
const deps = join(dirname(createRequire(import.meta.url).resolve('@grpc/grpc-js-xds/package.json')), 'deps');

const EXTERNAL_AUTH = 'envoy/service/auth/v3/external_auth.proto';

/**
 * camelCase fields (what grpc-js hands the handler and takes back), enums as
 * their names, no default-valued fields filled in: a CheckRequest decodes to
 * only what Envoy sent.
 */
const LOAD_OPTIONS = {
  keepCase: false,
  enums: String,
  longs: String,
  defaults: false,
  oneofs: true,
  includeDirs: [
    join(deps, 'envoy-api'),
    join(deps, 'xds'),
    join(deps, 'googleapis'),
    join(deps, 'protoc-gen-validate'),
  ],
};

/** `envoy.service.auth.v3.Authorization`, loaded once per process (a few ms of parsing). */
export function loadAuthorizationService(): ServiceClientConstructor {
  const loaded = loadPackageDefinition(loadSync(EXTERNAL_AUTH, LOAD_OPTIONS));
  const v3 = (((loaded['envoy'] as GrpcObject)['service'] as GrpcObject)['auth'] as GrpcObject)['v3'] as GrpcObject;
  return v3['Authorization'] as ServiceClientConstructor;
}
