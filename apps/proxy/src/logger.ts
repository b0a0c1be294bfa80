import { pino, type Logger } from 'pino';

/** JSON lines on stdout; keys never reach it (only ids, hints and hashes are ever logged). */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'routemcp-proxy' }, timestamp: pino.stdTimeFunctions.isoTime });
}
