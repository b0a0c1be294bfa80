import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Tracing } from '@routemcp/tracing';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createAdminServer, localAdminSource } from '../admin/index.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { ProxyConfig } from '../config.ts';
import type { KeyVerifier } from '../key-lookup/index.ts';
import { ProxyMetrics, Recorder, type UsageCounter } from '../observability/index.ts';
import { AuthFailureBudget, Authorizer, ClientAddresses, createPublicPathMatcher } from '../pipeline/index.ts';
import type { Limiter } from '../rate-limit/index.ts';
import { ExchangeSpans, TracedUpstream, TracingRecorder } from '../tracing/index.ts';
import { OpenTunnels, TunnelMetrics } from '../tunnels/index.ts';
import { Upstream } from '../upstream/index.ts';
import { createAuthzServer, type AuthzHttpServer } from './authz-server.ts';
import { createClientErrorHandler } from './client-error.ts';
import { drainServer, type DrainResult } from './drain.ts';
import type { ProxyRequest } from './proxy-request.ts';
import type { ProxyResponse } from './proxy-response.ts';
import { createRequestHandler } from './request-handler.ts';
import { clientServerOptions } from './server-options.ts';
import { createUpgradeHandler } from './upgrade-handler.ts';
import { createUpstreamFailureHandler } from './upstream-failure.ts';

export interface ProxyServerDeps {
  config: ProxyConfig;
  verifier: KeyVerifier;
  limiter: Limiter;
  registry: Registry;
  logger: Logger;
  clock?: Clock;
  /** Counts requests per verified key for the keystore's usage view. */
  usage?: UsageCounter;
  /** OpenTelemetry, when an endpoint is set; absent: no entrance is wrapped, nothing is traced. */
  tracing?: Tracing | undefined;
}

export type ProxyHttpServer = Server<typeof ProxyRequest, typeof ProxyResponse>;

export interface ProxyServers {
  server: ProxyHttpServer;
  adminServer: Server;
  /** Forward auth (AUTHZ_PORT): the same Authorizer and Recorder; listened on only when the port is set. */
  authzServer: AuthzHttpServer;
  /** The one decision and its recording, for the forward-auth entrances (AUTHZ_GRPC_PORT) to share. */
  pipeline: {
    authorizer: Authorizer;
    clients: ClientAddresses;
    recorder: Recorder;
    logger: Logger;
    spans: ExchangeSpans | undefined;
  };
  /** Drains the proxy (in-flight requests finish, within SHUTDOWN_GRACE_MS), then closes both servers. */
  shutdown(): Promise<DrainResult>;
}

/** Addresses the failed-authentication budget tracks at once (about 100 bytes each). */
const AUTH_FAILURE_CLIENTS = 50_000;

function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return req.headers.upgrade?.toLowerCase() === 'websocket';
}

/**
 * The proxy's public server, wired: one pipeline (Authorizer) behind two
 * entrances (HTTP requests, WebSocket upgrades), one upstream adapter, one
 * recorder.
 */
export function createProxyServer(deps: ProxyServerDeps): ProxyServers {
  const { config, verifier, limiter, registry, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const metrics = new ProxyMetrics({ registry });
  const rateLimits = {
    live: { capacity: config.RATE_LIMIT_LIVE_CAPACITY, refillPerSecond: config.RATE_LIMIT_LIVE_REFILL_PER_SECOND },
    test: { capacity: config.RATE_LIMIT_TEST_CAPACITY, refillPerSecond: config.RATE_LIMIT_TEST_REFILL_PER_SECOND },
  };
  const authorizer = new Authorizer({
    verifier,
    limiter,
    clock,
    isPublic: createPublicPathMatcher(config.PUBLIC_PATHS),
    maxBodyBytes: config.MAX_BODY_BYTES,
    rateLimits,
    failures: new AuthFailureBudget({
      limitPerMinute: config.AUTH_FAILURE_LIMIT,
      maxClients: AUTH_FAILURE_CLIENTS,
      clock,
    }),
  });
  // With tracing on, the recorder also ends each exchange's span and the upstream gets our traceparent.
  const spans = deps.tracing === undefined ? undefined : new ExchangeSpans(deps.tracing);
  const recorderOptions = { logger, metrics, usage: deps.usage };
  const recorder = spans === undefined ? new Recorder(recorderOptions) : new TracingRecorder(recorderOptions, spans);
  const upstreamOptions = {
    upstreamUrl: config.UPSTREAM_URL,
    upstreamTestUrl: config.UPSTREAM_TEST_URL,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    maxBodyBytes: config.MAX_BODY_BYTES,
    onFailure: createUpstreamFailureHandler(logger),
  };
  const upstream =
    deps.tracing === undefined ? new Upstream(upstreamOptions) : new TracedUpstream(upstreamOptions, deps.tracing);
  let draining = false;
  const clients = new ClientAddresses(config.TRUSTED_PROXIES);

  const handleRequest = createRequestHandler({
    authorizer,
    clients,
    upstream,
    recorder,
    logger,
    isDraining: () => draining,
  });
  // Only websockets are tunnelled; any other Upgrade (e.g. curl's h2c offer) is served as plain HTTP/1.1.
  const server: ProxyHttpServer = createServer(clientServerOptions(config, isWebSocketUpgrade));
  const onRequest = (req: ProxyRequest, res: ProxyResponse) => handleRequest(req, res, false);
  const onContinue = (req: ProxyRequest, res: ProxyResponse) => handleRequest(req, res, true);
  server.on('request', spans === undefined ? onRequest : spans.http('proxy', onRequest));
  server.on('checkContinue', spans === undefined ? onContinue : spans.http('proxy', onContinue));
  const tunnels: OpenTunnels = new OpenTunnels({
    verifier,
    rateLimits,
    clock,
    metrics: new TunnelMetrics({ registry, open: () => tunnels.size }),
    logger,
    idleTimeoutMs: config.WS_IDLE_TIMEOUT_MS,
    maxLifetimeMs: config.WS_MAX_LIFETIME_MS,
    recheckMs: config.CACHE_TTL_MS,
  });
  // The hook into the key cache: a change event (or a flush) re-checks the key's open tunnels.
  verifier.onChange((keyHash) => void tunnels.keyChanged(keyHash));
  const handleUpgrade = createUpgradeHandler({ authorizer, clients, upstream, recorder, logger, tunnels });
  const onUpgrade = (req: ProxyRequest, socket: Socket, head: Buffer) => handleUpgrade(req, socket, head);
  server.on('upgrade', spans === undefined ? onUpgrade : spans.upgrade(onUpgrade));
  server.on('clientError', createClientErrorHandler({ metrics }));

  const authzServer = createAuthzServer(config, { authorizer, clients, recorder, logger, metrics, spans });

  const adminServer = createAdminServer(localAdminSource({ registry, verifier, limiter }));

  return {
    server,
    adminServer,
    authzServer,
    pipeline: { authorizer, clients, recorder, logger, spans },
    async shutdown() {
      draining = true;
      // Tunnels get the grace period like requests do (they count as open connections, so a drain
      // with one open always runs to its end); then they are closed, logged and counted.
      const results = await Promise.all([
        server.listening ? drainServer(server, config.SHUTDOWN_GRACE_MS) : 'drained',
        authzServer.listening ? drainServer(authzServer, config.SHUTDOWN_GRACE_MS) : 'drained',
      ]);
      const result: DrainResult = results.includes('forced') ? 'forced' : 'drained';
      tunnels.closeAll('shutdown');
      await upstream.close();
      adminServer.closeAllConnections();
      await new Promise((resolve) => adminServer.close(resolve));
      return result;
    },
  };
}
