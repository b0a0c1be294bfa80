import { Server, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { createCheckHandler, type CheckHandlerDeps } from './grpc-check-handler.ts';
import { loadAuthorizationService } from './grpc-protos.ts';

export interface AuthzGrpcServer {
  /** Binds `host:port` (insecure: Envoy reaches it inside the cluster or on loopback); resolves to the bound port. */
  listen(port: number, host: string | undefined): Promise<number>;
  /** Lets calls in flight finish, up to `graceMs`, then cancels the rest. */
  close(graceMs: number): Promise<void>;
}

/** The ext_authz gRPC service (AUTHZ_GRPC_PORT) over the proxy's pipeline. */
export function createAuthzGrpcServer(deps: CheckHandlerDeps): AuthzGrpcServer {
  const server = new Server();
  const service = loadAuthorizationService().service;
  server.addService(service, { Check: createCheckHandler(deps) } as UntypedServiceImplementation);
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
