import type { IncomingMessage } from 'node:http';
import type { Environment } from '@routemcp/api-key';
import { writeError, type ErrorCode } from '@routemcp/errors';
import type { Logger } from 'pino';
import type { AuthFailureBudget } from '../pipeline/auth-failure-budget.ts';
import type { Clock } from '../clock.ts';
import type { KeyVerifier } from '../key-lookup/key-verifier.ts';
import type { ProxyResponse } from './proxy-response.ts';
import type { PublicPathMatcher } from '../pipeline/public-paths.ts';
import type { Limiter } from '../rate-limit/limiter.ts';
import { countBody, declaredTooLarge, needsCounting } from '../pipeline/body-limit.ts';
import { badFraming } from '../pipeline/check-framing.ts';
import { toOriginForm } from '../pipeline/request-target.ts';
import type { Forwarder } from '../upstream/forward.ts';
import { setRateLimitHeaders, takeToken, type RateLimitDefaults } from '../pipeline/limit.ts';
import { readKey } from '../pipeline/read-key.ts';
import { requestIdOf } from '../pipeline/request-id.ts';
import { rewriteHeaders, type Identity } from '../pipeline/rewrite-headers.ts';
import { verifyKey } from '../pipeline/verify-key.ts';

export interface RequestHandlerDeps {
  verifier: KeyVerifier;
  limiter: Limiter;
  forwarder: Forwarder;
  clock: Clock;
  logger: Logger;
  isPublic: PublicPathMatcher;
  rateLimits: RateLimitDefaults;
  failures: AuthFailureBudget;
  maxBodyBytes: number;
  isDraining: () => boolean;
  onResponseClose: (this: ProxyResponse) => void;
}

const CLOSE = { headers: { connection: 'close' } };
/** The metrics/log outcome of a 429 from the failed-authentication budget, apart from per-key limits. */
export const AUTH_FAILURES_OUTCOME = 'AUTH_FAILURES_LIMITED';

/**
 * The request path: request id → body size → public path? → read key →
 * verify → limit → (100 Continue) → rewrite headers → forward. Every refusal
 * is answered here, before any upstream connection exists.
 */
export function createRequestHandler(deps: RequestHandlerDeps) {
  const { verifier, limiter, forwarder, clock, logger, isPublic, rateLimits, failures, maxBodyBytes, isDraining } =
    deps;

  function forward(
    req: IncomingMessage,
    res: ProxyResponse,
    identity: Identity | null,
    environment: Environment,
    expectContinue: boolean,
  ): void {
    if (expectContinue) res.writeContinue();
    if (needsCounting(req.headers)) countBody(req, res, maxBodyBytes);
    rewriteHeaders(req, identity, res.requestId, false);
    forwarder.web(req, res, environment);
  }

  return async function handleRequest(
    req: IncomingMessage,
    res: ProxyResponse,
    expectContinue: boolean,
  ): Promise<void> {
    res.startedAt = performance.now();
    res.once('close', deps.onResponseClose);
    const requestId = requestIdOf(req.headers['x-request-id']);
    res.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    if (isDraining()) res.setHeader('Connection', 'close');
    try {
      if (badFraming(req) || !toOriginForm(req)) return refuse(req, res, 'BAD_REQUEST', expectContinue);
      if (declaredTooLarge(req.headers, maxBodyBytes)) return refuse(req, res, 'PAYLOAD_TOO_LARGE', expectContinue);
      if (isPublic(req.url ?? '/')) return forward(req, res, null, 'live', expectContinue);
      const client = req.socket.remoteAddress;
      const admission = failures.admit(client);
      if (admission > 0) {
        res.setHeader('Retry-After', admission);
        return refuse(req, res, 'RATE_LIMITED', expectContinue, AUTH_FAILURES_OUTCOME);
      }
      const read = readKey(req.rawHeaders);
      if (!read.ok) {
        failures.settle(client, admission, true);
        return refuse(req, res, 'INVALID_API_KEY', expectContinue);
      }
      const verified = await verifyKey(verifier, read.key, clock.now());
      failures.settle(client, admission, !verified.ok && verified.code === 'INVALID_API_KEY');
      if (!verified.ok) return refuse(req, res, verified.code, expectContinue);
      const { key } = verified;
      res.keyId = key.id;
      res.accountId = key.accountId;
      // The client may have left during the lookup, or the parser refused the
      // rest of its request meanwhile (and answered it): spend no token on it.
      if (clientGone(req, res)) return;
      const decision = await takeToken(limiter, rateLimits, key);
      setRateLimitHeaders(res, decision);
      res.rateLimited = true;
      if (!decision.allowed) return refuse(req, res, 'RATE_LIMITED', expectContinue);
      if (clientGone(req, res)) return;
      forward(req, res, key, key.environment, expectContinue);
    } catch (err) {
      logger.error({ err, reqId: requestId }, 'request handling failed');
      refuse(req, res, 'INTERNAL_ERROR', expectContinue);
    }
  };
}

/** Nobody to answer, or the socket was already answered and ended by the client-error handler. */
function clientGone(req: IncomingMessage, res: ProxyResponse): boolean {
  return res.destroyed || !req.socket.writable;
}

/**
 * Answers a refusal. A request that still has a body coming gets its
 * connection closed: reading megabytes from a client we just refused only to
 * keep the socket alive is the wrong trade. A framing refusal always closes:
 * where this request ends, and so where the next one starts, is unknown.
 */
function refuse(
  req: IncomingMessage,
  res: ProxyResponse,
  code: ErrorCode,
  expectContinue: boolean,
  outcome: string = code,
): void {
  res.outcome = outcome;
  const close =
    code === 'BAD_REQUEST' ||
    expectContinue ||
    req.headers['transfer-encoding'] !== undefined ||
    Number(req.headers['content-length'] ?? 0) > 0;
  if (!writeError(res, code, close ? CLOSE : undefined)) res.destroy();
}
