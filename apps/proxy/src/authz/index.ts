export { createAuthzGrpcServer, type AuthzGrpcServer } from './grpc-server.ts';
