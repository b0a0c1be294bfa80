import { writeError, type ErrorCode } from '@routemcp/errors';
import type { Logger } from 'pino';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Exchange, Recorder } from '../observability/index.ts';
import {
  BAD_PATH,
  hasBody,
  readHead,
  requestIdOf,
  type Authorization,
  type Authorizer,
  type ClientAddresses,
  type PipelineRequest,
  type RequestHead,
} from '../pipeline/index.ts';
import { pushIdentityHeaders, refuseNonCanonical } from './forward-decision.ts';
import { AMBIGUOUS, NOT_AUTHZ, originalRequest } from './original-request.ts';

/** The refusal's code, for gateways that see only a subrequest's status and headers (nginx). */
export const ERROR_CODE_HEADER = 'X-RouteMCP-Error-Code';

/** What the handler needs of the server's request class (the proxy's ProxyRequest fits). */
export interface AuthzRequest extends PipelineRequest {
  method?: string | undefined;
  url?: string | undefined;
  readonly rawHeaders: string[];
  readonly socket: Socket;
  head: RequestHead;
  clientAddress: string | undefined;
}

/** What the handler needs of the server's response class (the proxy's ProxyResponse fits). */
export interface AuthzResponse extends ServerResponse, Omit<Exchange, 'statusCode'> {
  requestId: string;
  keyId: string | null;
  accountId: string | null;
  outcome: string;
  startedAt: number;
  forwardedAt: number;
  ownHeaders: string[];
}

export interface AuthzHandlerDeps {
  authorizer: Authorizer;
  clients: ClientAddresses;
  recorder: Recorder;
  logger: Logger;
}

/** The access-log outcome of a request to this port that is not for `/authz`. */
export const NOT_AUTHZ_OUTCOME = 'NOT_FOUND';
/** Two X-Forwarded-Uri (or the like): refused 400 with this outcome. */
export const AMBIGUOUS_OUTCOME = 'AMBIGUOUS_ORIGINAL';

/**
 * The HTTP forward-auth entrance (nginx `auth_request`, Caddy `forward_auth`,
 * Traefik `ForwardAuth`, Envoy's HTTP `ext_authz`): the original request's
 * method and target go, in place of this request's own, through the same
 * Authorizer and Recorder as the proxy's requests; the answer is 200 with an
 * empty body and the identity headers, or the proxy's own refusal.
 *
 * The server's request and response classes are the proxy's: the method and target
 * the access log records are the original's, and an allowed request counts
 * as let through (`forwardedAt`), as a forwarded one does for usage.
 */
export function createAuthzHandler(deps: AuthzHandlerDeps) {
  const { authorizer, clients, recorder, logger } = deps;

  function onClose(this: AuthzResponse): void {
    if (!this.writableFinished && this.outcome === 'ok') this.outcome = 'CLIENT_CLOSED';
    recorder.record(this);
  }

  function answer(req: AuthzRequest, res: AuthzResponse, result: Authorization): void {
    const key = result.key;
    if (key !== null) {
      res.keyId = key.id;
      res.accountId = key.accountId;
    }
    if (result.kind === 'abandoned') {
      res.outcome = 'CLIENT_CLOSED';
      return;
    }
    const headers = res.ownHeaders;
    for (let i = 0; i < result.headers.length; i++) headers.push(result.headers[i]!);
    if (result.kind === 'refused') {
      res.outcome = result.outcome;
      refuse(req, res, result.code, result.message);
      return;
    }
    pushIdentityHeaders(headers, result);
    headers.push('content-length', '0', 'cache-control', 'no-store');
    res.forwardedAt = performance.now();
    res.writeHead(200, headers);
    res.end();
  }

  function failed(req: AuthzRequest, res: AuthzResponse, err: unknown): void {
    logger.error({ err, reqId: res.requestId }, 'authz request handling failed');
    res.outcome = 'INTERNAL_ERROR';
    refuse(req, res, 'INTERNAL_ERROR');
  }

  return function handleAuthz(req: AuthzRequest, res: AuthzResponse): void {
    res.startedAt = performance.now();
    res.on('close', onClose);
    const raw = req.rawHeaders;
    const head = readHead(raw);
    req.head = head;
    req.clientAddress = clients.of(req.socket.remoteAddress, head.forwardedFor);
    res.requestId = requestIdOf(head.requestId);
    res.ownHeaders.push('X-Request-Id', res.requestId);
    const original = originalRequest(req.method ?? '', req.url ?? '', raw);
    if (original === NOT_AUTHZ) {
      res.outcome = NOT_AUTHZ_OUTCOME;
      return refuse(req, res, 'NOT_FOUND');
    }
    if (original === AMBIGUOUS) {
      res.outcome = AMBIGUOUS_OUTCOME;
      return refuse(req, res, 'BAD_REQUEST');
    }
    // From here on this request stands for the original one: what is checked, logged and counted.
    req.method = original.method;
    req.url = original.target;
    const notCanonical = refuseNonCanonical(original.target);
    if (notCanonical !== null) {
      res.outcome = BAD_PATH;
      return refuse(req, res, notCanonical.code);
    }
    let result: Authorization | Promise<Authorization>;
    try {
      result = authorizer.authorize(req);
      if (!(result instanceof Promise)) return answer(req, res, result);
    } catch (err) {
      return failed(req, res, err);
    }
    result.then(
      (settled) => {
        try {
          answer(req, res, settled);
        } catch (err) {
          failed(req, res, err);
        }
      },
      (err: unknown) => failed(req, res, err),
    );
  };
}

/**
 * The proxy's envelope and status. The connection is kept: a gateway's
 * subrequest carries no body we would have to read past (one that does is
 * closed, as the proxy closes it). The code also goes in a header: nginx's
 * `auth_request` cannot read the body, and 429 alone does not say which one.
 */
function refuse(req: AuthzRequest, res: AuthzResponse, code: ErrorCode, message?: string): void {
  const headers = res.ownHeaders;
  headers.push(ERROR_CODE_HEADER, code);
  if (code === 'BAD_REQUEST' || hasBody(req.head)) headers.push('connection', 'close');
  if (!writeError(res, code, { headers, ...(message === undefined ? {} : { message }) })) res.destroy();
}
