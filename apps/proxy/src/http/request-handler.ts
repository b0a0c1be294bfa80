import { writeError, type ErrorCode } from '@routemcp/errors';
import type { Logger } from 'pino';
import type { Recorder } from '../observability/index.ts';
import {
  hasBody,
  readHead,
  requestIdOf,
  upstreamHeaders,
  type Authorization,
  type Authorizer,
  type ClientAddresses,
} from '../pipeline/index.ts';
import type { BodyFraming, Upstream } from '../upstream/index.ts';
import type { ProxyRequest } from './proxy-request.ts';
import type { ProxyResponse } from './proxy-response.ts';

export interface RequestHandlerDeps {
  authorizer: Authorizer;
  clients: ClientAddresses;
  upstream: Upstream;
  recorder: Recorder;
  logger: Logger;
  isDraining: () => boolean;
}

/**
 * The HTTP entrance: read the head once, ask the pipeline, then either
 * forward (after `100 Continue`, when the client waits for one) or write the
 * refusal. Every response is written with one `writeHead(status, flatList)`
 * and recorded once, when it closes.
 */
export function createRequestHandler(deps: RequestHandlerDeps) {
  const { authorizer, clients, upstream, recorder, logger, isDraining } = deps;

  function onClose(this: ProxyResponse): void {
    if (!this.writableFinished) {
      this.upstream?.cancel();
      if (this.outcome === 'ok') this.outcome = 'CLIENT_CLOSED';
    }
    recorder.record(this);
  }

  function proceed(req: ProxyRequest, res: ProxyResponse, result: Authorization, expectContinue: boolean): void {
    const key = result.key;
    if (key !== null) {
      res.keyId = key.id;
      res.accountId = key.accountId;
    }
    if (result.kind === 'abandoned') {
      res.outcome = 'CLIENT_CLOSED';
      return;
    }
    if (result.headers.length > 0) {
      for (const value of result.headers) res.ownHeaders.push(value);
      res.ownRateLimit = true;
    }
    if (result.kind === 'refused') {
      res.outcome = result.outcome;
      refuse(req, res, result.code, expectContinue, result.message);
      return;
    }
    if (expectContinue) res.writeContinue();
    const headers = upstreamHeaders(req, key, res.requestId, false, result.policy?.upstreamHeaders);
    res.forwardedAt = performance.now();
    upstream.forward(req, res, headers, framingOf(req), key?.environment ?? 'live');
  }

  function failed(req: ProxyRequest, res: ProxyResponse, err: unknown, expectContinue: boolean): void {
    logger.error({ err, reqId: res.requestId }, 'request handling failed');
    res.outcome = 'INTERNAL_ERROR';
    refuse(req, res, 'INTERNAL_ERROR', expectContinue);
  }

  return function handleRequest(req: ProxyRequest, res: ProxyResponse, expectContinue: boolean): void {
    res.startedAt = performance.now();
    res.on('close', onClose);
    const head = readHead(req.rawHeaders);
    req.head = head;
    req.clientAddress = clients.of(req.socket.remoteAddress, head.forwardedFor);
    res.requestId = requestIdOf(head.requestId);
    res.ownHeaders.push('X-Request-Id', res.requestId);
    if (isDraining()) res.keepAlive = false;
    let result: Authorization | Promise<Authorization>;
    try {
      result = authorizer.authorize(req);
      if (!(result instanceof Promise)) return proceed(req, res, result, expectContinue);
    } catch (err) {
      return failed(req, res, err, expectContinue);
    }
    result.then(
      (settled) => {
        try {
          proceed(req, res, settled, expectContinue);
        } catch (err) {
          failed(req, res, err, expectContinue);
        }
      },
      (err: unknown) => failed(req, res, err, expectContinue),
    );
  };
}

function framingOf(req: ProxyRequest): BodyFraming {
  if (!hasBody(req.head)) return 'none';
  return req.head.transferEncoding !== undefined ? 'chunked' : 'sized';
}

/**
 * Answers a refusal. A request that still has a body coming gets its
 * connection closed: reading megabytes from a client we just refused only to
 * keep the socket alive is the wrong trade. A framing refusal always closes:
 * where this request ends, and so where the next one starts, is unknown.
 */
function refuse(
  req: ProxyRequest,
  res: ProxyResponse,
  code: ErrorCode,
  expectContinue: boolean,
  message?: string,
): void {
  const headers = res.ownHeaders;
  if (code === 'BAD_REQUEST' || expectContinue || !res.keepAlive || hasBody(req.head))
    headers.push('connection', 'close');
  if (!writeError(res, code, { headers, ...(message === undefined ? {} : { message }) })) res.destroy();
}
