/** Something waiting on a call that all share one timeout. */
export interface Expirable {
  /** Set once the call answered (or expired): the queue then only drops it. */
  readonly settled: boolean;
  /** The timeout passed before the call answered. */
  expire(): void;
}

interface Entry {
  item: Expirable;
  deadline: number;
}

/**
 * Timeouts for calls that all share one duration (every Redis take waits at
 * most REDIS_TIMEOUT_MS): since the deadlines then come in the order the calls
 * were made, one timer for the oldest unanswered call does for all of them,
 * instead of a setTimeout and a clearTimeout per call on the hot path. The
 * timer runs only while something is waiting.
 */
export class DeadlineQueue {
  readonly #timeoutMs: number;
  readonly #now: () => number;
  #entries: Entry[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { timeoutMs: number; now?: () => number }) {
    this.#timeoutMs = options.timeoutMs;
    this.#now = options.now ?? (() => performance.now());
  }

  add(item: Expirable): void {
    this.#entries.push({ item, deadline: this.#now() + this.#timeoutMs });
    if (this.#timer === undefined) this.#arm(this.#timeoutMs);
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
      const entry = entries[this.#head]!;
      if (!entry.item.settled) {
        if (entry.deadline > now) break;
        entry.item.expire();
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
