import { STATUS_CODES, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { errorCatalog, type ErrorCode } from './codes.ts';
import { errorBody } from './envelope.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Writes the error envelope on a `node:http` response. Does nothing when the
 * head is already out (the only honest thing left then is to end the socket,
 * which is the caller's call).
 *
 * `headers` may be a flat `[name, value, …]` array: with no header set
 * before through `setHeader`, `writeHead` then takes Node's fast path (no
 * per-header removal and re-validation), which matters on the proxy's 401
 * and 429 answers.
 */
export function writeError(
  res: ServerResponse,
  code: ErrorCode,
  options: { message?: string; headers?: OutgoingHttpHeaders | readonly string[] } = {},
): boolean {
  if (res.headersSent) return false;
  const body = errorBody(code, options.message);
  const { statusCode } = errorCatalog[code];
  const length = Buffer.byteLength(body);
  const headers = options.headers;
  if (Array.isArray(headers)) {
    res.writeHead(statusCode, [
      ...headers,
      'content-type',
      JSON_TYPE,
      'content-length',
      String(length),
      'cache-control',
      'no-store',
    ]);
  } else {
    res.writeHead(statusCode, {
      ...(headers as OutgoingHttpHeaders | undefined),
      'content-type': JSON_TYPE,
      'content-length': length,
      'cache-control': 'no-store',
    });
  }
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
 * A complete raw HTTP/1.1 error response, for paths where only the socket is
 * left: the server's `clientError` (bad request line, header block too large)
 * and refused WebSocket upgrades. `headers` values must already be safe
 * header text (numbers, ids), never client input.
 */
export function rawErrorResponse(
  code: ErrorCode,
  options: { message?: string; headers?: Record<string, string | number> } = {},
): string {
  const body = errorBody(code, options.message);
  const { statusCode } = errorCatalog[code];
  let extra = '';
  for (const [name, value] of Object.entries(options.headers ?? {})) extra += `${name}: ${value}\r\n`;
  return (
    `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? 'Error'}\r\n${extra}` +
    `Content-Type: ${JSON_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `Cache-Control: no-store\r\nConnection: close\r\n\r\n${body}`
  );
}
