import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { errorCatalog, type ErrorCode } from './codes.ts';
import { errorBody } from './envelope.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Writes the error envelope on a `node:http` response. Does nothing when the
 * head is already out (the only honest thing left then is to end the socket,
 * which is the caller's call).
 */
export function writeError(
  res: ServerResponse,
  code: ErrorCode,
  options: { message?: string; headers?: OutgoingHttpHeaders } = {},
): boolean {
  if (res.headersSent) return false;
  const body = errorBody(code, options.message);
  res.writeHead(errorCatalog[code].statusCode, {
    ...options.headers,
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
  return true;
}

/** Writes `{"success":true,"data":…}`. */
export function writeSuccess(
  res: ServerResponse,
  data: unknown,
  options: { statusCode?: number; headers?: OutgoingHttpHeaders } = {},
): void {
  const body = JSON.stringify({ success: true, data });
  res.writeHead(options.statusCode ?? 200, {
    ...options.headers,
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * A complete raw HTTP/1.1 error response, for the server's `clientError` path
 * where only the socket is left (bad request line, header block too large).
 */
export function rawErrorResponse(code: ErrorCode, message?: string): string {
  const body = errorBody(code, message);
  const { statusCode } = errorCatalog[code];
  return (
    `HTTP/1.1 ${statusCode} ${REASONS[statusCode] ?? 'Error'}\r\n` +
    `Content-Type: ${JSON_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `Connection: close\r\n\r\n${body}`
  );
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
};
