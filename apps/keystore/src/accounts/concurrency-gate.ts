/**
 * At most `limit` holders at once; one more is turned away at once rather
 * than queued, so a flood costs a counter check instead of a growing queue
 * of requests each waiting to start a 32 MiB hash.
 */
export class ConcurrencyGate {
  readonly #limit: number;
  #active = 0;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    this.#limit = limit;
  }

  get active(): number {
    return this.#active;
  }

  get full(): boolean {
    return this.#active >= this.#limit;
  }

  /** A release function when a place was free (call it exactly once), undefined when the gate is full. */
  tryEnter(): (() => void) | undefined {
    if (this.full) return undefined;
    this.#active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
    };
  }
}
