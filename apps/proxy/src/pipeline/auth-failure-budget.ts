import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock.ts';

export interface AuthFailureBudgetOptions {
  /** Failed authentications one client may make per minute (a token bucket of this size, refilled over a minute); 0 turns the budget off. */
  limitPerMinute: number;
  /** Clients tracked at once; the least recently seen are forgotten first, so memory stays bounded under a spoofed-source flood. */
  maxClients: number;
  clock: Clock;
}

interface Bucket {
  tokens: number;
  at: number;
}

const MINUTE_MS = 60_000;

/** `admit` answer: go ahead, and one token is held for this attempt until `settle`. */
export const HELD = -1;

/**
 * A budget of failed authentications per client address. Unique random keys
 * defeat the negative cache (each is a new hash), so this is what bounds the
 * keystore lookups one client can cause, and it slows key guessing down.
 *
 * A client that never failed has no entry and costs one map lookup per
 * request. A client that has failed before holds a token for every attempt
 * while its lookup is in flight, so a burst of concurrent or pipelined
 * guesses cannot outrun the budget; success gives the token back. Only the
 * very first burst of a fresh address, before its first failure is known,
 * is unbounded by this (one keystore round trip long).
 *
 * The client is the TCP peer address. Behind a load balancer that is the
 * balancer, and every client shares its budget: raise the limit or set it
 * to 0 there.
 */
export class AuthFailureBudget {
  readonly #capacity: number;
  readonly #perMs: number;
  readonly #clock: Clock;
  readonly #clients: LRUCache<string, Bucket>;

  constructor(options: AuthFailureBudgetOptions) {
    this.#capacity = options.limitPerMinute;
    this.#perMs = options.limitPerMinute / MINUTE_MS;
    this.#clock = options.clock;
    this.#clients = new LRUCache({ max: Math.max(1, options.maxClients) });
  }

  /**
   * Before a key check: 0 to go ahead, `HELD` to go ahead with a token held,
   * or the whole seconds the client must wait (a 429 with Retry-After).
   */
  admit(client: string | undefined): number {
    if (this.#capacity === 0 || client === undefined) return 0;
    const bucket = this.#clients.get(client);
    if (bucket === undefined) return 0;
    const tokens = this.#refill(bucket);
    if (tokens < 1) return Math.ceil((1 - tokens) / this.#perMs / 1000);
    bucket.tokens = tokens - 1;
    return HELD;
  }

  /** After the check: a failure spends a token (the held one, if any); anything else returns the held one. */
  settle(client: string | undefined, admission: number, failed: boolean): void {
    if (this.#capacity === 0 || client === undefined) return;
    if (admission === HELD) {
      if (failed) return;
      const bucket = this.#clients.get(client);
      if (bucket !== undefined) bucket.tokens = Math.min(this.#capacity, bucket.tokens + 1);
      return;
    }
    if (!failed) return;
    const bucket = this.#clients.get(client);
    if (bucket === undefined) {
      this.#clients.set(client, { tokens: this.#capacity - 1, at: this.#clock.now() });
      return;
    }
    // Attempts admitted before the first failure was known still land here: never below empty.
    bucket.tokens = Math.max(0, this.#refill(bucket) - 1);
  }

  #refill(bucket: Bucket): number {
    const now = this.#clock.now();
    bucket.tokens = Math.min(this.#capacity, bucket.tokens + (now - bucket.at) * this.#perMs);
    bucket.at = now;
    return bucket.tokens;
  }
}
