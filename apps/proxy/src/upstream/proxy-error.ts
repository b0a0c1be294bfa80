import type { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { writeError, type ErrorCode } from '@routemcp/errors';
import type { Logger } from 'pino';
import type { ProxyResponse } from '../http/proxy-response.ts';
import { writeRawError } from '../http/raw-error.ts';

const TIMEOUTS = new Set(['UPSTREAM_TIMEOUT', 'ECONNECT_TIMEOUT', 'ETIMEDOUT']);
/** Failures that say "the upstream is not there or broke the connection": expected, not worth a stack. */
const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'HPE_INVALID_CONSTANT',
]);

/** What a proxy error means on the wire; `CLIENT_CLOSED` when nobody is left to answer. */
export function outcomeOf(err: NodeJS.ErrnoException, clientGone: boolean): ErrorCode | 'CLIENT_CLOSED' {
  if (err.code === 'PAYLOAD_TOO_LARGE') return 'PAYLOAD_TOO_LARGE';
  if (clientGone) return 'CLIENT_CLOSED';
  if (err.code !== undefined && TIMEOUTS.has(err.code)) return 'UPSTREAM_TIMEOUT';
  return 'UPSTREAM_UNAVAILABLE';
}

/**
 * The one handler for every error raised while forwarding. Answers with the
 * envelope while the head is not out; afterwards the only honest signal left
 * is cutting the connection, so a truncated body is never mistaken for a
 * complete one.
 */
export function createProxyErrorHandler(options: { logger: Logger; upgraded: ReadonlySet<Socket> }) {
  const { logger, upgraded } = options;
  return function onProxyError(err: NodeJS.ErrnoException, req: IncomingMessage, res: ServerResponse | Socket): void {
    if (res instanceof Socket) {
      const code = outcomeOf(err, res.destroyed);
      if (code !== 'CLIENT_CLOSED' && !upgraded.has(res)) writeRawError(res, code);
      else res.destroy();
      logUnexpected(logger, err, req);
      return;
    }
    const response = res as ProxyResponse;
    const code = outcomeOf(err, req.socket.destroyed);
    response.outcome = code;
    if (code === 'CLIENT_CLOSED') return;
    if (code === 'PAYLOAD_TOO_LARGE') {
      // The rest of the body is never read: close instead of draining it.
      if (!writeError(response, code, { headers: { connection: 'close' } })) response.destroy();
      return;
    }
    logUnexpected(logger, err, req);
    if (!writeError(response, code)) response.destroy();
  };
}

function logUnexpected(logger: Logger, err: NodeJS.ErrnoException, req: IncomingMessage): void {
  const code = err.code ?? 'unknown';
  if (TIMEOUTS.has(code) || UNAVAILABLE.has(code)) {
    logger.warn({ err: { code, message: err.message }, method: req.method }, 'upstream request failed');
  } else {
    logger.error({ err }, 'unexpected proxy error');
  }
}
