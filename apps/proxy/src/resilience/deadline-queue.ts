/** Something waiting on a call that all share one timeout. */
export interface Expirable {
  /** Set once the call answered (or expired): the queue then only drops it. */
  readonly settled: boolean;
  /** The timeout passed before the call answered. */
  expire(): void;
  /** Set by the queue: performance.now() past which the call expires. */
  deadline: number;
}

/**
 * Timeouts for calls that share one duration at a time (every Redis take
 * waits the current Redis deadline): a call's deadline is never earlier
 * than the one before it, so the deadlines come in the order the calls were
 * made and one timer for the oldest unanswered call does for all of them,
 * instead of a setTimeout and a clearTimeout per call on the hot path. When
 * the duration shrinks, later calls wait at most until the call before them
 * expires (a shorter duration takes effect as the queue moves on). The
 * timer runs only while something is waiting.
 */
export class DeadlineQueue {
  readonly #timeoutMs: () => number;
  readonly #now: () => number;
  #last = Number.NEGATIVE_INFINITY;
  #entries: Expirable[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;

  /** `timeoutMs`: a fixed duration, or read at each `add` (a deadline that follows the dependency's latency). */
  constructor(options: { timeoutMs: number | (() => number); now?: () => number }) {
    const timeout = options.timeoutMs;
    this.#timeoutMs = typeof timeout === 'number' ? () => timeout : timeout;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The clock deadlines are measured on (monotonic). */
  now(): number {
    return this.#now();
  }

  add(item: Expirable): void {
    const now = this.#now();
    item.deadline = Math.max(now + this.#timeoutMs(), this.#last);
    this.#last = item.deadline;
    this.#entries.push(item);
    if (this.#timer === undefined) this.#arm(item.deadline - now);
  }

  /** Calls still waiting (settled ones not yet dropped included). */
  get size(): number {
    return this.#entries.length - this.#head;
  }

  /** Drops everything without expiring it (shutdown). */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#entries = [];
    this.#head = 0;
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(this.#check, Math.max(1, Math.ceil(ms)));
    this.#timer.unref();
  }

  readonly #check = (): void => {
    this.#timer = undefined;
    const now = this.#now();
    const entries = this.#entries;
    while (this.#head < entries.length) {
      const item = entries[this.#head]!;
      if (!item.settled) {
        if (item.deadline > now) break;
        item.expire();
      }
      this.#head++;
    }
    // Compact once the dropped prefix dominates, so the array does not grow for ever under load.
    if (this.#head > 1024 && this.#head * 2 > entries.length) {
      this.#entries = entries.slice(this.#head);
      this.#head = 0;
    }
    if (this.#head < this.#entries.length) this.#arm(this.#entries[this.#head]!.deadline - now);
    else {
      this.#entries = [];
      this.#head = 0;
    }
  };
}
