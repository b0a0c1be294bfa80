import type { Clock } from '../clock.ts';

export interface FailureThrottleOptions {
  clock: Clock;
  /** Failures within `windowMs` that lock the subject. */
  maxFailures: number;
  windowMs: number;
  lockMs: number;
  /** Subjects tracked at most; the oldest are forgotten first (bounds memory under a spray of addresses). */
  maxSubjects?: number;
}

interface Entry {
  failures: number;
  windowStart: number;
  lockedUntil: number;
}

/**
 * Counts failed logins per subject (an email, an address) and locks it for a
 * while after too many. In memory, per process: a restart forgets it, which
 * only ever makes it more lenient.
 */
export class FailureThrottle {
  readonly #options: FailureThrottleOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(options: FailureThrottleOptions) {
    this.#options = options;
  }

  /** Milliseconds until `subject` may try again; 0 when it may now. */
  retryAfterMs(subject: string): number {
    const entry = this.#entries.get(subject);
    if (entry === undefined) return 0;
    return Math.max(0, entry.lockedUntil - this.#options.clock.now());
  }

  /** Records a failure; true when this one locked the subject. */
  fail(subject: string): boolean {
    const now = this.#options.clock.now();
    let entry = this.#entries.get(subject);
    if (entry === undefined || now - entry.windowStart >= this.#options.windowMs) {
      entry = { failures: 0, windowStart: now, lockedUntil: entry?.lockedUntil ?? 0 };
    }
    entry.failures++;
    let locked = false;
    if (entry.failures >= this.#options.maxFailures) {
      entry.lockedUntil = now + this.#options.lockMs;
      entry.failures = 0;
      entry.windowStart = now;
      locked = true;
    }
    // Re-insert so Map order is least-recently-failed first.
    this.#entries.delete(subject);
    this.#entries.set(subject, entry);
    this.#evict();
    return locked;
  }

  succeed(subject: string): void {
    this.#entries.delete(subject);
  }

  #evict(): void {
    const max = this.#options.maxSubjects ?? 10_000;
    for (const subject of this.#entries.keys()) {
      if (this.#entries.size <= max) return;
      this.#entries.delete(subject);
    }
  }
}
