import type { Socket } from 'node:net';
import type { ErrorCode } from '@routemcp/errors';
import type { ProxyMetrics } from '../observability/index.ts';
import { writeRawError } from './raw-error.ts';

type ClientSocket = Socket & { _httpMessage?: { headersSent?: boolean } | null };

/** Node's parser and timeout errors that deserve a more precise status than 400. */
const STATUS_OF: Readonly<Record<string, ErrorCode>> = {
  HPE_HEADER_OVERFLOW: 'HEADERS_TOO_LARGE',
  // Node caps chunk extensions (CVE-2024-22019) and calls the overflow a 413 itself.
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 'PAYLOAD_TOO_LARGE',
  // headersTimeout and requestTimeout (Slowloris, slow bodies).
  ERR_HTTP_REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
};

/**
 * Requests Node's strict parser refuses never reach a handler, or are cut
 * short after it started (a bad chunk mid-body): answer them with the
 * envelope on the socket and close. Nothing from the request is echoed back.
 */
export function createClientErrorHandler(options: { metrics: ProxyMetrics }) {
  const { metrics } = options;
  return function onClientError(err: NodeJS.ErrnoException, socket: ClientSocket): void {
    // A response already under way (e.g. a pipelined request) cannot get a second status line.
    if (err.code === 'ECONNRESET' || !socket.writable || socket._httpMessage?.headersSent === true) {
      socket.destroy();
      return;
    }
    const code = (err.code !== undefined && STATUS_OF[err.code]) || 'BAD_REQUEST';
    metrics.request(code, 0);
    writeRawError(socket, code);
  };
}
