import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { writeError, writeSuccess } from '@routemcp/errors';
import type { Registry } from 'prom-client';
import type { KeyVerifier } from '../key-lookup/index.ts';
import type { Limiter, LimiterMode } from '../rate-limit/index.ts';

/** The body of a 200 from /readyz. */
export interface ReadyReport {
  status: 'ready';
  keystore: 'reachable' | 'unreachable';
  events: 'connected' | 'disconnected';
  cachedKeys: number;
  limiter: LimiterMode;
  degraded?: true;
  /** Only with PROXY_WORKERS > 1. */
  workers?: number;
}

export type Readiness = { ready: true; report: ReadyReport } | { ready: false; message: string };

/** What the admin port reports: one process's own state, or a cluster's, gathered from its workers. */
export interface AdminSource {
  readiness(): Readiness | Promise<Readiness>;
  metrics(): Promise<string>;
  readonly contentType: string;
}

export interface AdminServerDeps {
  registry: Registry;
  verifier: KeyVerifier;
  limiter: Limiter;
}

/** Health, readiness and metrics, on their own port so they are never exposed with the proxy. */
export function createAdminServer(source: AdminSource): Server {
  return createServer((req, res) => {
    route(source, req, res).catch(() => writeError(res, 'INTERNAL_ERROR'));
  });
}

async function route(source: AdminSource, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return void writeError(res, 'METHOD_NOT_ALLOWED');
  const path = (req.url ?? '/').split('?', 1)[0];
  if (path === '/healthz') return writeSuccess(res, { status: 'ok' });
  if (path === '/readyz') {
    const readiness = await source.readiness();
    if (!readiness.ready) return void writeError(res, 'SERVICE_UNAVAILABLE', { message: readiness.message });
    return writeSuccess(res, readiness.report);
  }
  if (path === '/metrics') {
    const body = await source.metrics();
    res.writeHead(200, { 'content-type': source.contentType, 'content-length': Buffer.byteLength(body) });
    return void res.end(body);
  }
  writeError(res, 'NOT_FOUND');
}

/** This process's own registry, key cache and limiter. */
export function localAdminSource({ registry, verifier, limiter }: AdminServerDeps): AdminSource {
  return {
    readiness: () => readinessOf(verifier, limiter),
    metrics: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

/**
 * Ready while keys can be answered: the keystore is reachable, or the cache
 * is warm enough to serve known keys. A limiter on its local fallback is
 * degraded, not unready: rate limiting fails open to a local limit.
 */
export function readinessOf(verifier: KeyVerifier, limiter: Limiter): Readiness {
  const health = verifier.health();
  const mode = limiter.mode();
  if (!health.keystoreReachable && health.cachedKeys === 0)
    return { ready: false, message: 'Keystore unreachable and no keys cached' };
  return {
    ready: true,
    report: {
      status: 'ready',
      keystore: health.keystoreReachable ? 'reachable' : 'unreachable',
      events: health.eventsConnected ? 'connected' : 'disconnected',
      cachedKeys: health.cachedKeys,
      limiter: mode,
      ...(mode === 'fallback' ? { degraded: true as const } : {}),
    },
  };
}
