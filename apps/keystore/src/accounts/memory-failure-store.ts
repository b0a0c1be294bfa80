import type { FailureEntry, FailureStep, FailureStore } from './failure-store.ts';

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

  // Atomic because it never awaits between the read and the write.
  async update<T>(subject: string, step: (current: FailureEntry | undefined) => FailureStep<T>): Promise<T> {
    const current = this.#entries.get(subject);
    const { next, result } = step(current === undefined ? undefined : { ...current });
    // Re-insert so Map order is least-recently-counted first.
    this.#entries.delete(subject);
    if (next !== null) this.#entries.set(subject, next);
    for (const old of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxSubjects) break;
      this.#entries.delete(old);
    }
    return result;
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
