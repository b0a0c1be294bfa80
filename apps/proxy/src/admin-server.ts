import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { writeError, writeSuccess } from '@routemcp/errors';
import type { Registry } from 'prom-client';
import type { KeyVerifier } from './key-lookup/key-verifier.ts';
import type { Limiter } from './rate-limit/limiter.ts';

export interface AdminServerDeps {
  registry: Registry;
  verifier: KeyVerifier;
  limiter: Limiter;
}

/** Health, readiness and metrics, on their own port so they are never exposed with the proxy. */
export function createAdminServer(deps: AdminServerDeps): Server {
  return createServer((req, res) => {
    route(deps, req, res).catch(() => writeError(res, 'INTERNAL_ERROR'));
  });
}

async function route(deps: AdminServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return void writeError(res, 'METHOD_NOT_ALLOWED');
  const path = (req.url ?? '/').split('?', 1)[0];
  if (path === '/healthz') return writeSuccess(res, { status: 'ok' });
  if (path === '/readyz') return readiness(deps, res);
  if (path === '/metrics') {
    const body = await deps.registry.metrics();
    res.writeHead(200, { 'content-type': deps.registry.contentType, 'content-length': Buffer.byteLength(body) });
    return void res.end(body);
  }
  writeError(res, 'NOT_FOUND');
}

/**
 * Ready while keys can be answered: the keystore is reachable, or the cache
 * is warm enough to serve known keys. A limiter on its local fallback is
 * degraded, not unready: rate limiting fails open to a local limit.
 */
function readiness(deps: AdminServerDeps, res: ServerResponse): void {
  const health = deps.verifier.health();
  const limiter = deps.limiter.mode();
  const ready = health.keystoreReachable || health.cachedKeys > 0;
  if (!ready)
    return void writeError(res, 'SERVICE_UNAVAILABLE', { message: 'Keystore unreachable and no keys cached' });
  writeSuccess(res, {
    status: 'ready',
    keystore: health.keystoreReachable ? 'reachable' : 'unreachable',
    events: health.eventsConnected ? 'connected' : 'disconnected',
    cachedKeys: health.cachedKeys,
    limiter,
    ...(limiter === 'fallback' ? { degraded: true } : {}),
  });
}
