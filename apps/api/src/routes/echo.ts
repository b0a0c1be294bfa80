import type { IncomingMessage } from 'node:http';
import { writeError, writeSuccess } from '@routemcp/errors';
import type { Handler } from './route.ts';

export const DEFAULT_MAX_ECHO_BYTES = 10 * 1024 * 1024;

/**
 * Counts the body without buffering it. Resolves `null` past the cap, having
 * paused the request: destroying it would also destroy the socket before the
 * 413 is flushed.
 */
function countBody(req: IncomingMessage, maxBytes: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    let length = 0;
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > maxBytes) {
        req.off('data', onData);
        req.pause();
        resolve(null);
      }
    };
    req.on('data', onData);
    req.once('end', () => resolve(length));
    req.once('error', reject);
    // An aborted request emits neither `end` nor always `error`; without this the promise would never settle.
    req.once('close', () => reject(new Error('request closed before its body ended')));
  });
}

/**
 * Answers with what actually arrived (method, target, headers, body length),
 * so tests can prove what the proxy forwards.
 */
export function createEchoHandler(options: { maxBytes?: number } = {}): Handler {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_ECHO_BYTES;
  const tooLarge = { message: `Request body too large (limit ${maxBytes} bytes)`, headers: { connection: 'close' } };

  return async (req, res) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const bodyLength = declared > maxBytes ? null : await countBody(req, maxBytes);
    if (bodyLength === null) {
      writeError(res, 'PAYLOAD_TOO_LARGE', tooLarge);
      return;
    }
    writeSuccess(res, {
      method: req.method,
      url: req.url,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      bodyLength,
    });
  };
}
