import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { errorCatalog, type ErrorCode } from '@routemcp/errors';
import type { Logger } from 'pino';
import { loggablePath } from '../observability/access-log.ts';
import type { AuthFailureBudget } from '../pipeline/auth-failure-budget.ts';
import type { Clock } from '../clock.ts';
import type { KeyVerifier } from '../key-lookup/key-verifier.ts';
import type { ProxyMetrics } from '../observability/metrics.ts';
import type { PublicPathMatcher } from '../pipeline/public-paths.ts';
import type { Limiter } from '../rate-limit/limiter.ts';
import { writeRawError } from './raw-error.ts';
import type { Forwarder } from '../upstream/forward.ts';
import { badFraming } from '../pipeline/check-framing.ts';
import { toOriginForm } from '../pipeline/request-target.ts';
import { rateLimitHeaderRecord, takeToken, type RateLimitDefaults } from '../pipeline/limit.ts';
import { readKey } from '../pipeline/read-key.ts';
import { requestIdOf } from '../pipeline/request-id.ts';
import { rewriteHeaders } from '../pipeline/rewrite-headers.ts';
import { verifyKey } from '../pipeline/verify-key.ts';

export interface UpgradeHandlerDeps {
  verifier: KeyVerifier;
  limiter: Limiter;
  forwarder: Forwarder;
  clock: Clock;
  logger: Logger;
  metrics: ProxyMetrics;
  isPublic: PublicPathMatcher;
  rateLimits: RateLimitDefaults;
  failures: AuthFailureBudget;
}

/**
 * WebSocket upgrades pass the same checks as requests and take a token; a
 * refusal is a plain HTTP envelope on the socket, before any upstream
 * connection is opened.
 */
export function createUpgradeHandler(deps: UpgradeHandlerDeps) {
  const { verifier, limiter, forwarder, clock, logger, metrics, isPublic, rateLimits, failures } = deps;

  function done(
    req: IncomingMessage,
    startedAt: number,
    requestId: string,
    keyId: string | null,
    outcome: string,
    status: number,
  ): void {
    const ms = performance.now() - startedAt;
    metrics.request(outcome, ms / 1000);
    logger.info(
      {
        reqId: requestId,
        keyId,
        method: req.method,
        path: loggablePath(req.url),
        status,
        outcome,
        ms: Math.round(ms * 1000) / 1000,
        upgrade: true,
      },
      'request',
    );
  }

  function refuse(
    req: IncomingMessage,
    socket: Socket,
    startedAt: number,
    requestId: string,
    code: ErrorCode,
    extraHeaders: Record<string, string | number> = {},
  ): void {
    const headers = { 'X-Request-Id': requestId, ...extraHeaders };
    writeRawError(socket, code, headers);
    done(req, startedAt, requestId, null, code, errorCatalog[code].statusCode);
  }

  return async function handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const startedAt = performance.now();
    // Node stops watching an upgraded socket; without a listener a reset would crash the process.
    socket.on('error', onSocketError);
    const requestId = requestIdOf(req.headers['x-request-id']);
    try {
      if (
        req.method !== 'GET' ||
        req.headers.upgrade?.toLowerCase() !== 'websocket' ||
        badFraming(req) ||
        !toOriginForm(req)
      ) {
        return refuse(req, socket, startedAt, requestId, 'BAD_REQUEST');
      }
      const extra: Record<string, string> = { 'x-request-id': requestId };
      if (isPublic(req.url ?? '/')) {
        rewriteHeaders(req, null, requestId, true);
        forwarder.ws(req, socket, head, 'live', extra);
        return done(req, startedAt, requestId, null, 'ok', 101);
      }
      const client = req.socket.remoteAddress;
      const admission = failures.admit(client);
      if (admission > 0) return refuse(req, socket, startedAt, requestId, 'RATE_LIMITED', { 'Retry-After': admission });
      const read = readKey(req.rawHeaders);
      if (!read.ok) {
        failures.settle(client, admission, true);
        return refuse(req, socket, startedAt, requestId, 'INVALID_API_KEY');
      }
      const verified = await verifyKey(verifier, read.key, clock.now());
      failures.settle(client, admission, !verified.ok && verified.code === 'INVALID_API_KEY');
      if (!verified.ok) return refuse(req, socket, startedAt, requestId, verified.code);
      const { key } = verified;
      const decision = await takeToken(limiter, rateLimits, key);
      if (!decision.allowed) {
        return refuse(req, socket, startedAt, requestId, 'RATE_LIMITED', rateLimitHeaderRecord(decision));
      }
      if (socket.destroyed) return done(req, startedAt, requestId, key.id, 'CLIENT_CLOSED', 0);
      extra['ratelimit-limit'] = String(decision.limit);
      extra['ratelimit-remaining'] = String(decision.remaining);
      extra['ratelimit-reset'] = String(decision.resetSeconds);
      rewriteHeaders(req, key, requestId, true);
      forwarder.ws(req, socket, head, key.environment, extra);
      done(req, startedAt, requestId, key.id, 'ok', 101);
    } catch (err) {
      logger.error({ err, reqId: requestId }, 'upgrade handling failed');
      refuse(req, socket, startedAt, requestId, 'INTERNAL_ERROR');
    }
  };
}

function onSocketError(this: Socket): void {
  this.destroy();
}
