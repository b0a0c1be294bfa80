import type { Socket } from 'node:net';
import { rawErrorResponse, type ErrorCode } from '@routemcp/errors';

/**
 * Answers on a bare socket (client errors, refused upgrades) and closes it.
 * `headers` (a flat `[name, value, …]` list) must be our own text (ids,
 * numbers), never client input.
 */
export function writeRawError(
  socket: Socket,
  code: ErrorCode,
  headers: readonly string[] = [],
  message?: string,
): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const record: Record<string, string> = {};
  for (let i = 0; i < headers.length; i += 2) record[headers[i]!] = headers[i + 1]!;
  socket.write(rawErrorResponse(code, { headers: record, ...(message === undefined ? {} : { message }) }));
  socket.destroySoon();
}
