import type { Socket } from 'node:net';
import { rawErrorResponse, type ErrorCode } from '@routemcp/errors';

/**
 * Answers on a bare socket (client errors, refused upgrades) and closes it.
 * `headers` values must be our own text (ids, numbers), never client input.
 */
export function writeRawError(socket: Socket, code: ErrorCode, headers?: Record<string, string | number>): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.write(rawErrorResponse(code, { headers }));
  socket.destroySoon();
}
