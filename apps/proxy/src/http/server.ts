import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createAccessLog, type UsageCounter } from '../observability/access-log.ts';
import { createAdminServer, localAdminSource } from '../admin/admin-server.ts';
import { AuthFailureBudget } from '../pipeline/auth-failure-budget.ts';
import { createClientErrorHandler } from './client-error.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { ProxyConfig } from '../config.ts';
import { drainServer, type DrainResult } from './drain.ts';
import type { KeyVerifier } from '../key-lookup/key-verifier.ts';
import { ProxyMetrics } from '../observability/metrics.ts';
import { createProxyErrorHandler } from '../upstream/proxy-error.ts';
import { ProxyResponse } from './proxy-response.ts';
import { createPublicPathMatcher } from '../pipeline/public-paths.ts';
import type { Limiter } from '../rate-limit/limiter.ts';
import { createRequestHandler } from './request-handler.ts';
import { createForwarder } from '../upstream/forward.ts';
import { respondToUpstream } from '../upstream/upstream-response.ts';
import { createUpgradeHandler } from './upgrade-handler.ts';

export interface ProxyServerDeps {
  config: ProxyConfig;
  verifier: KeyVerifier;
  limiter: Limiter;
  registry: Registry;
  logger: Logger;
  clock?: Clock;
  /** Counts requests per verified key for the keystore's usage view. */
  usage?: UsageCounter;
}

export type ProxyHttpServer = Server<typeof IncomingMessage, typeof ProxyResponse>;

export interface ProxyServers {
  server: ProxyHttpServer;
  adminServer: Server;
  /** Drains the proxy (in-flight requests finish, within SHUTDOWN_GRACE_MS), then closes both servers. */
  shutdown(): Promise<DrainResult>;
}

/** Addresses the failed-authentication budget tracks at once (about 100 bytes each). */
const AUTH_FAILURE_CLIENTS = 50_000;

function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return req.headers.upgrade?.toLowerCase() === 'websocket';
}

export function createProxyServer(deps: ProxyServerDeps): ProxyServers {
  const { config, verifier, limiter, registry, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const metrics = new ProxyMetrics({ registry });
  const isPublic = createPublicPathMatcher(config.PUBLIC_PATHS);
  const rateLimits = {
    live: { capacity: config.RATE_LIMIT_LIVE_CAPACITY, refillPerSecond: config.RATE_LIMIT_LIVE_REFILL_PER_SECOND },
    test: { capacity: config.RATE_LIMIT_TEST_CAPACITY, refillPerSecond: config.RATE_LIMIT_TEST_REFILL_PER_SECOND },
  };
  const failures = new AuthFailureBudget({
    limitPerMinute: config.AUTH_FAILURE_LIMIT,
    maxClients: AUTH_FAILURE_CLIENTS,
    clock,
  });
  let draining = false;
  const isDraining = (): boolean => draining;

  // Sockets that switched protocols: the error handler must not write HTTP on them.
  const upgraded = new Set<Socket>();
  const forwarder = createForwarder({
    upstreamUrl: config.UPSTREAM_URL,
    upstreamTestUrl: config.UPSTREAM_TEST_URL,
    upstreamTimeoutMs: config.UPSTREAM_TIMEOUT_MS,
    onError: createProxyErrorHandler({ logger, upgraded }),
    onUpstreamResponse: (upstream, req, res) => respondToUpstream(upstream, req, res, metrics, draining),
    upgraded,
  });

  const handleRequest = createRequestHandler({
    verifier,
    limiter,
    forwarder,
    clock,
    logger,
    isPublic,
    rateLimits,
    failures,
    isDraining,
    maxBodyBytes: config.MAX_BODY_BYTES,
    onResponseClose: createAccessLog({ logger, metrics, usage: deps.usage }),
  });
  const server = createServer({
    ServerResponse: ProxyResponse,
    insecureHTTPParser: false,
    // check-framing answers a missing Host with the envelope; Node's own answer is a bare 400.
    requireHostHeader: false,
    maxHeaderSize: config.MAX_HEADER_BYTES,
    headersTimeout: config.HEADERS_TIMEOUT_MS,
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    // Node checks header/request timeouts on this interval (30 s by default): too coarse against Slowloris.
    connectionsCheckingInterval: Math.min(1_000, config.HEADERS_TIMEOUT_MS),
    // Only websockets are tunnelled; any other Upgrade (e.g. curl's h2c offer) is served as plain HTTP/1.1.
    shouldUpgradeCallback: isWebSocketUpgrade,
  });
  server.on('request', (req: IncomingMessage, res: ProxyResponse) => void handleRequest(req, res, false));
  server.on('checkContinue', (req: IncomingMessage, res: ProxyResponse) => void handleRequest(req, res, true));
  const handleUpgrade = createUpgradeHandler({
    verifier,
    limiter,
    forwarder,
    clock,
    logger,
    metrics,
    isPublic,
    rateLimits,
    failures,
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => void handleUpgrade(req, socket, head));
  server.on('clientError', createClientErrorHandler({ metrics }));

  const adminServer = createAdminServer(localAdminSource({ registry, verifier, limiter }));

  return {
    server,
    adminServer,
    async shutdown() {
      draining = true;
      const result = await drainServer(server, config.SHUTDOWN_GRACE_MS);
      forwarder.close();
      adminServer.closeAllConnections();
      await new Promise((resolve) => adminServer.close(resolve));
      return result;
    },
  };
}
