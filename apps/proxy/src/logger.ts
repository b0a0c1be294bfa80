import { pino, type Logger } from 'pino';

/**
 * JSON lines on stdout; keys never reach it (only ids, hints and hashes are
 * ever logged). Asynchronous writes coalesce lines under load instead of one
 * write(2) per request; call `logger.flush()` before exiting.
 */
export function createLogger(level: string): Logger {
  return pino(
    { level, base: { service: 'routemcp-proxy' }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: 1, sync: false }),
  );
}
