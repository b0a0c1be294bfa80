import { pino, type Logger } from 'pino';

/** Writes up to this size reach a pipe whole, never interleaved with another process's (POSIX PIPE_BUF). */
const PIPE_BUF = 4096;

/**
 * JSON lines on stdout; keys never reach it (only ids, hints and hashes are
 * ever logged). Asynchronous writes coalesce lines under load instead of one
 * write(2) per request; call `logger.flush()` before exiting. With
 * PROXY_WORKERS > 1 every line says which process wrote it (`worker`, 0 for
 * the primary), and writes stay within PIPE_BUF so the processes sharing
 * stdout never split each other's lines.
 */
export function createLogger(level: string, cluster: { worker?: number } = {}): Logger {
  const shared = cluster.worker !== undefined;
  return pino(
    {
      level,
      base: { service: 'routemcp-proxy', ...(shared ? { worker: cluster.worker } : {}) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({ dest: 1, sync: false, ...(shared ? { maxWrite: PIPE_BUF } : {}) }),
  );
}
