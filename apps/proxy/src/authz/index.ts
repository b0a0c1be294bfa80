export { createAuthzHandler, type AuthzHandlerDeps, type AuthzRequest, type AuthzResponse } from './authz-handler.ts';
export { ForwardRequest, identityHeaders, refuseNonCanonical, type ForwardedRequest } from './forward-decision.ts';
export { createAuthzGrpcServer, type AuthzGrpcServer } from './grpc-server.ts';
