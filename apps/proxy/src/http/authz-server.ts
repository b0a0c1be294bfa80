import { createServer, type Server } from 'node:http';
import type { ProxyConfig } from '../config.ts';
import type { ProxyMetrics } from '../observability/index.ts';
import { createAuthzHandler, type AuthzHandlerDeps } from '../authz/index.ts';
import type { ExchangeSpans } from '../tracing/index.ts';
import { createClientErrorHandler } from './client-error.ts';
import type { ProxyRequest } from './proxy-request.ts';
import type { ProxyResponse } from './proxy-response.ts';
import { clientServerOptions } from './server-options.ts';

export type AuthzHttpServer = Server<typeof ProxyRequest, typeof ProxyResponse>;

/**
 * The forward-auth port (AUTHZ_PORT): the proxy's parser limits and
 * timeouts, no upgrades (a gateway asks about an upgrade with a plain
 * request), and the proxy's answer to a request Node could not parse.
 */
export function createAuthzServer(
  config: ProxyConfig,
  deps: AuthzHandlerDeps & { metrics: ProxyMetrics; spans?: ExchangeSpans | undefined },
): AuthzHttpServer {
  const handle = createAuthzHandler(deps);
  const server: AuthzHttpServer = createServer(clientServerOptions(config, () => false));
  server.on('request', deps.spans === undefined ? handle : deps.spans.http('authz', handle));
  server.on('clientError', createClientErrorHandler({ metrics: deps.metrics }));
  return server;
}
