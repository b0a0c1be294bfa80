import type { EventEmitter } from 'node:events';
import { once } from 'node:events';

/** The bound on one wait: far above any healthy wait on a loaded machine, below the 10 s test timeout. */
const BOUND_MS = 8_000;

/**
 * Resolves once `condition()` holds, checked now and again each time
 * `changes` emits `change`: a test waits for the event that matters, not for
 * a poll interval or a sleep. The bound only turns a wait that can never end
 * into a failure that says what it was waiting for.
 */
export async function until(changes: EventEmitter, condition: () => boolean, what: string): Promise<void> {
  const signal = AbortSignal.timeout(BOUND_MS);
  while (!condition()) {
    try {
      await once(changes, 'change', { signal });
    } catch {
      throw new Error(`still not ${what} after ${BOUND_MS} ms`);
    }
  }
}
