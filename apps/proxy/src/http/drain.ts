export type DrainResult = 'drained' | 'forced';

/**
 * Stops accepting, lets in-flight requests finish, and closes keep-alive
 * sockets as they fall idle (a request that finishes during the drain leaves
 * its socket idle again, hence the sweep). After `graceMs` every remaining
 * connection is cut.
 */
/** The part of `node:http` Server a drain needs (any request/response classes). */
export interface Drainable {
  close(callback?: (err?: Error) => void): unknown;
  closeIdleConnections(): void;
  closeAllConnections(): void;
}

export function drainServer(server: Drainable, graceMs: number, sweepMs = 50): Promise<DrainResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: DrainResult): void => {
      if (settled) return;
      settled = true;
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve(result);
    };
    const sweep = setInterval(() => server.closeIdleConnections(), sweepMs);
    const deadline = setTimeout(() => {
      server.closeAllConnections();
      finish('forced');
    }, graceMs);
    server.close(() => finish('drained'));
    server.closeIdleConnections();
  });
}
