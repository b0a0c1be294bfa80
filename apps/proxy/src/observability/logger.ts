import { pino, type Logger } from 'pino';

/** Writes up to this size reach a pipe whole, never interleaved with another process's (POSIX PIPE_BUF). */
const PIPE_BUF = 4096;
/**
 * Lines are held until this much is buffered (or FLUSH_MS passes), so a busy
 * proxy makes one write(2) per dozen access-log lines instead of one each.
 */
const BUFFER_BYTES = 4096;
const FLUSH_MS = 200;

/**
 * JSON lines on stdout; keys never reach it (only ids, hints and hashes are
 * ever logged). Writes are asynchronous and buffered (sonic-boom's
 * `minLength`, flushed every FLUSH_MS and synchronously on exit — pino
 * registers that — and by `logger.flush()` on SIGTERM), so no line is lost
 * on a clean stop; a crash can lose at most the last few kilobytes. With
 * PROXY_WORKERS > 1 every line says which process wrote it (`worker`, 0 for
 * the primary), and writes stay within PIPE_BUF so the processes sharing
 * stdout never split each other's lines (sonic-boom splits its buffer only
 * between writes, never inside one line).
 */
export function createLogger(level: string, cluster: { worker?: number } = {}): Logger {
  const shared = cluster.worker !== undefined;
  return pino(
    {
      level,
      base: { service: 'routemcp-proxy', ...(shared ? { worker: cluster.worker } : {}) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({
      dest: 1,
      sync: false,
      // sonic-boom wants minLength below maxWrite.
      minLength: shared ? PIPE_BUF / 2 : BUFFER_BYTES,
      periodicFlush: FLUSH_MS,
      ...(shared ? { maxWrite: PIPE_BUF } : {}),
    }),
  );
}
