import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { ProxyResponse } from '../http/proxy-response.ts';

/** The declared Content-Length is over the limit: refuse before any upstream connection. */
export function declaredTooLarge(headers: IncomingHttpHeaders, maxBytes: number): boolean {
  const length = headers['content-length'];
  return length !== undefined && Number(length) > maxBytes;
}

/** A body with no declared length (chunked) must be counted as it streams. */
export function needsCounting(headers: IncomingHttpHeaders): boolean {
  return headers['content-length'] === undefined && headers['transfer-encoding'] !== undefined;
}

export const bodyTooLargeError = (): NodeJS.ErrnoException =>
  Object.assign(new Error('request body over the limit'), { code: 'PAYLOAD_TOO_LARGE' });

/**
 * Counts a streamed body and cancels the upstream request once it passes the
 * limit; the cancellation reaches the proxy error handler, which answers 413.
 * Registered before the body is piped, so it sees each chunk first.
 */
export function countBody(req: IncomingMessage, res: ProxyResponse, maxBytes: number): void {
  let received = 0;
  const onData = (chunk: Buffer): void => {
    received += chunk.length;
    if (received <= maxBytes) return;
    req.off('data', onData);
    res.bodyTooLarge = true;
    res.upstreamRequest?.destroy(bodyTooLargeError());
  };
  req.on('data', onData);
}
