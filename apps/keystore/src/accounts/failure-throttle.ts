import type { Clock } from '../clock.ts';
import type { FailurePolicy, FailureStore } from './failure-store.ts';

export interface FailureThrottleOptions extends FailurePolicy {
  clock: Clock;
  /** Where the counts live: the database, so a lock-out is counted once for every replica. */
  store: FailureStore;
}

/** Counts failed logins per subject (an email, an address) and locks it for a while after too many. */
export class FailureThrottle {
  readonly #options: FailureThrottleOptions;

  constructor(options: FailureThrottleOptions) {
    this.#options = options;
  }

  /** Milliseconds until `subject` may try again; 0 when it may now. */
  async retryAfterMs(subject: string): Promise<number> {
    return Math.max(0, (await this.#options.store.lockedUntil(subject)) - this.#options.clock.now());
  }

  /** Records a failure; true when this one locked the subject. */
  fail(subject: string): Promise<boolean> {
    return this.#options.store.recordFailure(subject, this.#options.clock.now(), this.#options);
  }

  succeed(subject: string): Promise<void> {
    return this.#options.store.clear(subject);
  }
}
