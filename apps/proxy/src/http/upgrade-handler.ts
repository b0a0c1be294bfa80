import type { Socket } from 'node:net';
import { hash } from '@routemcp/api-key';
import { errorCatalog, type ErrorCode } from '@routemcp/errors';
import type { Logger } from 'pino';
import type { Exchange, Recorder } from '../observability/index.ts';
import {
  readHead,
  pathOf,
  readKey,
  requestIdOf,
  upstreamHeaders,
  type Authorization,
  type Authorizer,
  type CanonicalTarget,
  type ClientAddresses,
} from '../pipeline/index.ts';
import { failureCode, type Upstream, type UpstreamError } from '../upstream/index.ts';
import type { OpenTunnels } from '../tunnels/index.ts';
import type { ProxyRequest } from './proxy-request.ts';
import { writeRawError } from './raw-error.ts';

export interface UpgradeHandlerDeps {
  authorizer: Authorizer;
  clients: ClientAddresses;
  upstream: Upstream;
  recorder: Recorder;
  logger: Logger;
  /** Where an opened tunnel is registered, to follow its key (revoke, expiry, policy) and its idle time and lifetime. */
  tunnels: OpenTunnels;
}

/** What the recorder gets for an upgrade; filled as the handshake goes. */
class UpgradeExchange implements Exchange {
  keyId: string | null = null;
  accountId: string | null = null;
  statusCode = 0;
  outcome = 'ok';
  forwardedAt = 0;
  upstreamRespondedAt = 0;
  readonly upgrade = true;
  readonly method: string | undefined;
  readonly requestId: string;
  readonly startedAt: number;
  readonly #req: ProxyRequest;

  constructor(req: ProxyRequest, requestId: string, startedAt: number) {
    this.#req = req;
    this.method = req.method;
    this.requestId = requestId;
    this.startedAt = startedAt;
  }

  get target(): string | undefined {
    return this.#req.url;
  }
}

/**
 * The WebSocket entrance: the same pipeline as every request (the same
 * checks, a token, the same recorder, so an upgrade shows in the key's
 * usage and logs its key id). A refusal is a plain HTTP envelope on the
 * socket, written before any upstream connection exists; an accepted
 * upgrade is tunnelled and recorded when the upstream answers the handshake.
 */
export function createUpgradeHandler(deps: UpgradeHandlerDeps) {
  const { authorizer, clients, upstream, recorder, logger, tunnels } = deps;

  function finish(exchange: UpgradeExchange, statusCode: number, outcome: string): void {
    exchange.statusCode = statusCode;
    exchange.outcome = outcome;
    recorder.record(exchange);
  }

  function refuse(socket: Socket, exchange: UpgradeExchange, code: ErrorCode, headers: readonly string[] = []): void {
    writeRawError(socket, code, ['X-Request-Id', exchange.requestId, ...headers]);
    finish(exchange, errorCatalog[code].statusCode, code);
  }

  function proceed(
    req: ProxyRequest,
    socket: Socket,
    head: Buffer,
    exchange: UpgradeExchange,
    result: Authorization,
  ): void {
    const key = result.key;
    if (key !== null) {
      exchange.keyId = key.id;
      exchange.accountId = key.accountId;
    }
    if (result.kind === 'abandoned') return finish(exchange, 0, 'CLIENT_CLOSED');
    if (result.kind === 'refused') {
      writeRawError(socket, result.code, ['X-Request-Id', exchange.requestId, ...result.headers], result.message);
      return finish(exchange, errorCatalog[result.code].statusCode, result.outcome);
    }
    if (socket.destroyed) return finish(exchange, 0, 'CLIENT_CLOSED');
    const headers = upstreamHeaders(req, key, exchange.requestId, true, result.policy?.upstreamHeaders);
    exchange.forwardedAt = performance.now();
    // As the pipeline checked them (authorize() rewrote req.url to its canonical
    // form): re-checked against the key's policy whenever it changes.
    const grant = {
      method: req.method ?? 'GET',
      path: pathOf(req.url as CanonicalTarget),
      clientAddress: req.clientAddress,
    };
    upstream.tunnel(
      req,
      socket,
      head,
      headers,
      ['x-request-id', exchange.requestId, ...result.headers],
      key?.environment ?? 'live',
      {
        opened: (upstreamSocket) => {
          exchange.upstreamRespondedAt = performance.now();
          finish(exchange, 101, 'ok');
          tunnels.add({
            ...grant,
            keyHash: key === null ? null : keyHashOf(req),
            keyId: key?.id ?? null,
            expiresAt: key?.expiresAt ?? null,
            requestId: exchange.requestId,
            client: socket,
            upstream: upstreamSocket,
          });
        },
        answered: (status) => {
          exchange.upstreamRespondedAt = performance.now();
          finish(exchange, status, 'ok');
        },
        failed: (error: UpstreamError) => {
          const code = failureCode(error.failure);
          if (code === null) return finish(exchange, 0, 'CLIENT_CLOSED');
          if (error.expected)
            logger.warn({ err: { code: error.code }, reqId: exchange.requestId }, 'upstream upgrade failed');
          else
            logger.error({ err: error.cause ?? error, reqId: exchange.requestId }, 'unexpected upstream upgrade error');
          refuse(socket, exchange, code);
        },
      },
    );
  }

  return function handleUpgrade(req: ProxyRequest, socket: Socket, head: Buffer): void {
    const startedAt = performance.now();
    // Node stops watching an upgraded socket; without a listener a reset would crash the process.
    socket.on('error', onSocketError);
    req.head = readHead(req.rawHeaders);
    req.clientAddress = clients.of(req.socket.remoteAddress, req.head.forwardedFor);
    const exchange = new UpgradeExchange(req, requestIdOf(req.head.requestId), startedAt);
    if (req.method !== 'GET' || req.head.upgrade?.toLowerCase() !== 'websocket')
      return refuse(socket, exchange, 'BAD_REQUEST');
    const failed = (err: unknown): void => {
      logger.error({ err, reqId: exchange.requestId }, 'upgrade handling failed');
      refuse(socket, exchange, 'INTERNAL_ERROR');
    };
    try {
      const result = authorizer.authorize(req);
      if (!(result instanceof Promise)) return proceed(req, socket, head, exchange, result);
      result.then((settled) => {
        try {
          proceed(req, socket, head, exchange, settled);
        } catch (err) {
          failed(err);
        }
      }, failed);
    } catch (err) {
      failed(err);
    }
  };
}

/**
 * The hash change events and lookups name the key by. Hashed again here (one
 * SHA-256 per opened tunnel) rather than carried out of the pipeline, whose
 * hot path would pay for it on every request.
 */
function keyHashOf(req: ProxyRequest): string | null {
  const read = readKey(req.head);
  return read.ok ? hash(read.key) : null;
}

function onSocketError(this: Socket): void {
  this.destroy();
}
