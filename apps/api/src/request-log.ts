import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';

/**
 * One log line per request, written when the response is done or the client
 * went away. The path only: query strings are the caller's business.
 */
export function logRequest(logger: Logger, clock: Clock, req: IncomingMessage, res: ServerResponse): void {
  const started = clock.now();
  res.once('close', () => {
    logger.info(
      {
        method: req.method,
        path: (req.url ?? '/').split('?', 1)[0],
        statusCode: res.statusCode,
        durationMs: Math.round((clock.now() - started) * 10) / 10,
        requestId: req.headers['x-request-id'],
        keyId: req.headers['x-routemcp-key-id'],
        completed: res.writableFinished,
      },
      'request',
    );
  });
}
