import { Server, ServerCredentials, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { ExchangeSpans } from '../tracing/index.ts';
import { createCheckHandler, type CheckHandlerDeps } from './grpc-check-handler.ts';
import type { CheckRequest, CheckResponse } from './grpc-messages.ts';
import { loadAuthorizationService } from './grpc-protos.ts';

const CHECK = 'envoy.service.auth.v3.Authorization/Check';

export interface AuthzGrpcServer {
  /** Binds `host:port` (insecure: Envoy reaches it inside the cluster or on loopback); resolves to the bound port. */
  listen(port: number, host: string | undefined): Promise<number>;
  /** Lets calls in flight finish, up to `graceMs`, then cancels the rest. */
  close(graceMs: number): Promise<void>;
}

/** The ext_authz gRPC service (AUTHZ_GRPC_PORT) over the proxy's pipeline. */
export function createAuthzGrpcServer(deps: CheckHandlerDeps & { spans?: ExchangeSpans | undefined }): AuthzGrpcServer {
  const server = new Server();
  const service = loadAuthorizationService().service;
  const check = createCheckHandler(deps);
  const traced = deps.spans === undefined ? check : deps.spans.grpc(CHECK, traceCarrierOf, check);
  server.addService(service, { Check: traced } as UntypedServiceImplementation);
  return {
    listen(port, host) {
      // `[::]` is every interface, IPv4 included, like node:http with no host.
      const address = host === undefined ? `[::]:${port}` : `${host.includes(':') ? `[${host}]` : host}:${port}`;
      return new Promise((resolve, reject) =>
        server.bindAsync(address, ServerCredentials.createInsecure(), (err, bound) =>
          err === null ? resolve(bound) : reject(err),
        ),
      );
    },
    close(graceMs) {
      return new Promise((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };
}

/**
 * The trace a Check continues: Envoy's own (its call's metadata, when Envoy
 * traces), else the original request's.
 */
function traceCarrierOf(call: ServerUnaryCall<CheckRequest, CheckResponse>): {
  carrier: Record<string, string>;
  host: string | undefined;
} {
  const http = call.request.attributes?.request?.http;
  const traceparent = call.metadata.get('traceparent')[0];
  const carrier =
    traceparent === undefined
      ? (http?.headers ?? {})
      : { traceparent: traceparent.toString(), tracestate: call.metadata.get('tracestate').join(',') };
  return { carrier, host: http?.host?.replace(/:\d+$/, '') };
}
