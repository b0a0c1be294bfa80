import type { Clock } from '../clock.ts';
import { CircuitBreaker, type BreakerState } from '../resilience/index.ts';

/** One keystore URL of `KEYSTORE_URL`. Logs and metrics name it by `index`, never by its URL. */
export interface KeystoreReplica {
  readonly index: number;
  readonly url: string;
  /** `host:port` only (no credentials), for logs. */
  readonly host: string;
}

/** What one call to one replica came to: `answered` when the replica is up, whatever it said. */
export interface ReplicaOutcome<T> {
  answered: boolean;
  value: T;
}

export interface KeystoreReplicasOptions {
  urls: readonly string[];
  clock: Clock;
  /** Consecutive failures of one replica before it is skipped, and for how long before one probe. */
  failureThreshold: number;
  coolDownMs: number;
  onStateChange?: (replica: KeystoreReplica, state: BreakerState) => void;
}

/**
 * The keystore replicas a proxy was given, each behind a circuit breaker of
 * its own. A call goes to the replica that answered last (the first listed
 * at start) and moves on to the next while replicas fail, so one dead
 * replica costs one failed attempt per call until its breaker opens, then
 * nothing. Sticking to the last good one keeps its connections warm and
 * never sends traffic back to a replica that was failing while another
 * answers.
 */
export class KeystoreReplicas {
  readonly replicas: readonly KeystoreReplica[];
  readonly #breakers: readonly CircuitBreaker[];
  #preferred = 0;

  constructor(options: KeystoreReplicasOptions) {
    if (options.urls.length === 0) throw new Error('at least one keystore URL is needed');
    this.replicas = options.urls.map((url, index) => ({ index, url, host: new URL(url).host }));
    this.#breakers = this.replicas.map(
      (replica) =>
        new CircuitBreaker({
          failureThreshold: options.failureThreshold,
          coolDownMs: options.coolDownMs,
          clock: options.clock,
          onStateChange: (state) => options.onStateChange?.(replica, state),
        }),
    );
  }

  /** The replica calls go to first. */
  get preferred(): KeystoreReplica {
    return this.replicas[this.#preferred]!;
  }

  /**
   * Runs `call` on replicas, the preferred one first, until one answers.
   * Returns that answer, or the last failure when every replica tried
   * failed, or `undefined` when every breaker refused (nothing was tried).
   */
  async call<T>(call: (replica: KeystoreReplica) => Promise<ReplicaOutcome<T>>): Promise<T | undefined> {
    let last: T | undefined;
    const start = this.#preferred;
    for (let step = 0; step < this.replicas.length; step++) {
      const index = (start + step) % this.replicas.length;
      const breaker = this.#breakers[index]!;
      if (!breaker.allow()) continue;
      const outcome = await call(this.replicas[index]!);
      if (outcome.answered) {
        breaker.success();
        this.#preferred = index;
        return outcome.value;
      }
      breaker.failure();
      last = outcome.value;
    }
    return last;
  }
}
