import type { Socket } from 'node:net';
import type { ProxyMetrics } from './metrics.ts';
import { writeRawError } from './raw-error.ts';

type ClientSocket = Socket & { _httpMessage?: { headersSent?: boolean } | null };

/**
 * Requests Node's strict parser refuses never reach a handler: answer them
 * with the envelope on the socket (431 for an oversized header block) and
 * close. Nothing from the request is echoed back.
 */
export function createClientErrorHandler(options: { metrics: ProxyMetrics }) {
  const { metrics } = options;
  return function onClientError(err: NodeJS.ErrnoException, socket: ClientSocket): void {
    // A response already under way (e.g. a pipelined request) cannot get a second status line.
    if (err.code === 'ECONNRESET' || !socket.writable || socket._httpMessage?.headersSent === true) {
      socket.destroy();
      return;
    }
    const code = err.code === 'HPE_HEADER_OVERFLOW' ? 'HEADERS_TOO_LARGE' : 'BAD_REQUEST';
    metrics.request(code, 0);
    writeRawError(socket, code);
  };
}
