import { nextFailureEntry, type FailureEntry, type FailurePolicy, type FailureStore } from './failure-store.ts';

/** The in-memory adapter (unit tests): one process, a bounded number of subjects. */
export class MemoryFailureStore implements FailureStore {
  readonly #entries = new Map<string, FailureEntry>();
  readonly #maxSubjects: number;

  /** `maxSubjects`: the oldest are forgotten first (bounds memory under a spray of addresses). */
  constructor(options: { maxSubjects?: number } = {}) {
    this.#maxSubjects = options.maxSubjects ?? 10_000;
  }

  async lockedUntil(subject: string): Promise<number> {
    return this.#entries.get(subject)?.lockedUntil ?? 0;
  }

  async recordFailure(subject: string, now: number, policy: FailurePolicy): Promise<boolean> {
    const { entry, locked } = nextFailureEntry(this.#entries.get(subject), now, policy);
    // Re-insert so Map order is least-recently-failed first.
    this.#entries.delete(subject);
    this.#entries.set(subject, entry);
    for (const old of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxSubjects) break;
      this.#entries.delete(old);
    }
    return locked;
  }

  async clear(subject: string): Promise<void> {
    this.#entries.delete(subject);
  }

  async prune(before: number): Promise<number> {
    let pruned = 0;
    for (const [subject, entry] of this.#entries) {
      if (entry.lockedUntil < before && entry.windowStart < before) {
        this.#entries.delete(subject);
        pruned++;
      }
    }
    return pruned;
  }
}
