import type { Clock } from '../clock.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit fails fast before letting one probe through. */
  coolDownMs: number;
  clock: Clock;
  onStateChange?: (state: BreakerState) => void;
}

/**
 * Stops paying a dependency's timeout on every call once it is known to be
 * down: after `failureThreshold` consecutive failures every call is refused
 * for `coolDownMs`, then exactly one probe is let through (half-open); its
 * outcome closes or re-opens the circuit.
 */
export class CircuitBreaker {
  #state: BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #probing = false;
  readonly #options: CircuitBreakerOptions;

  constructor(options: CircuitBreakerOptions) {
    this.#options = options;
  }

  get state(): BreakerState {
    return this.#state;
  }

  /** Whether a call may go to the dependency now. A `true` must be followed by `success()` or `failure()`. */
  allow(): boolean {
    if (this.#state === 'closed') return true;
    if (this.#state === 'open') {
      if (this.#options.clock.now() - this.#openedAt < this.#options.coolDownMs) return false;
      this.#transition('half-open');
    }
    if (this.#probing) return false;
    this.#probing = true;
    return true;
  }

  success(): void {
    this.#failures = 0;
    this.#probing = false;
    if (this.#state !== 'closed') this.#transition('closed');
  }

  failure(): void {
    this.#failures++;
    this.#probing = false;
    if (this.#state === 'half-open' || (this.#state === 'closed' && this.#failures >= this.#options.failureThreshold)) {
      this.#openedAt = this.#options.clock.now();
      this.#transition('open');
    }
  }

  #transition(state: BreakerState): void {
    this.#state = state;
    this.#options.onStateChange?.(state);
  }
}
