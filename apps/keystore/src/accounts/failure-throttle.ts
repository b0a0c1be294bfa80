import type { Clock } from '../clock.ts';
import { releaseSlot, reserveSlot, type FailurePolicy, type FailureStore, type Reservation } from './failure-store.ts';

export interface FailureThrottleOptions extends FailurePolicy {
  clock: Clock;
  /** Where the counts live: the database, so a lock-out is counted once for every replica. */
  store: FailureStore;
}

/**
 * Bounds password checks per subject (an email, an address): each attempt
 * takes a slot before its check, atomically; a failed check keeps its slot
 * as the recorded failure, and `maxFailures` slots in a window lock the
 * subject for `lockMs`.
 */
export class FailureThrottle {
  readonly #options: FailureThrottleOptions;

  constructor(options: FailureThrottleOptions) {
    this.#options = options;
  }

  /** Takes a slot before a check; refused (with the wait) while the subject is locked. */
  reserve(subject: string): Promise<Reservation> {
    const now = this.#options.clock.now();
    return this.#options.store.update(subject, (current) => reserveSlot(current, now, this.#options));
  }

  /** Gives a slot back: the check passed, or never ran. */
  release(subject: string): Promise<void> {
    return this.#options.store.update(subject, (current) => releaseSlot(current, this.#options));
  }

  /** Forgets the subject's count (a successful login for its email). */
  clear(subject: string): Promise<void> {
    return this.#options.store.clear(subject);
  }
}
