export interface ParentWatchOptions {
  getPpid: () => number;
  onOrphaned: () => void;
  /** Runs `check` periodically; returns a cancel function. */
  every: (check: () => void) => () => void;
}

/**
 * `npm start` runs us under `sh -c`, and a SIGTERM to npm kills that shell
 * without passing the signal on. We notice by being re-parented, and stop
 * the stack as if we had been sent SIGTERM ourselves.
 */
export function watchParent(options: ParentWatchOptions): () => void {
  const parent = options.getPpid();
  let fired = false;
  const cancel = options.every(() => {
    if (fired || options.getPpid() === parent) return;
    fired = true;
    options.onOrphaned();
  });
  return cancel;
}

export function everyMs(intervalMs: number): ParentWatchOptions['every'] {
  return (check) => {
    const timer = setInterval(check, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  };
}
