import type { Socket } from 'node:net';
import { rawErrorResponse, type ErrorCode } from '@routemcp/errors';

/**
 * Answers on a bare socket (client errors, refused upgrades) and closes it.
 * `headerLines` are complete `Name: value\r\n` lines added after the status line.
 */
export function writeRawError(socket: Socket, code: ErrorCode, headerLines = ''): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const raw = rawErrorResponse(code);
  // The status line is the first CRLF; header lines go right after it.
  socket.write(headerLines === '' ? raw : raw.replace('\r\n', `\r\n${headerLines}`));
  socket.destroySoon();
}
