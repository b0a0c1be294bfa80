export interface RoundTripDeadlineOptions {
  /** Never less, however fast the dependency has been (REDIS_TIMEOUT_MS, KEYSTORE_TIMEOUT_MS). */
  floorMs: number;
  /** Never more, however slow; a stalled dependency is given up on within it (REDIS_/KEYSTORE_TIMEOUT_MAX_MS). */
  capMs: number;
  /** The deadline until the first sample; the floor unless given (RFC 6298 starts at 1 s: nothing is known yet). */
  initialMs?: number;
}

/** RFC 6298's gains: SRTT follows a new sample by 1/8, RTTVAR by 1/4; RTO is SRTT + 4·RTTVAR. */
const ALPHA = 1 / 8;
const BETA = 1 / 4;
const K = 4;

/**
 * How long a call waits for a dependency (Redis before the local buckets
 * answer; the keystore before a lookup fails closed): TCP's retransmission
 * timeout (RFC 6298) over the dependency's observed round trips, so a
 * machine that is uniformly slow (a loaded host, a far Redis) waits as long
 * as its replies take instead of falling back on every burst, while a
 * stalled dependency is still given up on within the cap. Samples come from
 * every reply that arrived, late ones included (a late reply is the one
 * that says the deadline was too short); a call that never answers gives
 * none. A sample above the cap is taken as the cap: it says only "slower
 * than we will ever wait", and letting a long stall's replies into RTTVAR
 * would keep the deadline at the cap for dozens of calls after Redis is
 * back. Until the first sample the deadline is `initialMs` (the floor by default).
 */
export class RoundTripDeadline {
  readonly #floorMs: number;
  readonly #capMs: number;
  #srtt: number | null = null;
  #rttvar = 0;
  #timeoutMs: number;

  constructor(options: RoundTripDeadlineOptions) {
    this.#floorMs = options.floorMs;
    this.#capMs = Math.max(options.floorMs, options.capMs);
    this.#timeoutMs = Math.min(this.#capMs, Math.max(this.#floorMs, options.initialMs ?? this.#floorMs));
  }

  /** The most a call may wait. */
  get capMs(): number {
    return this.#capMs;
  }

  /** The deadline for a call made now, in ms. */
  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /** A reply took `rttMs` from send to arrival. */
  observe(rttMs: number): void {
    const sample = Math.min(Math.max(0, rttMs), this.#capMs);
    if (this.#srtt === null) {
      this.#srtt = sample;
      this.#rttvar = sample / 2;
    } else {
      // RTTVAR first, with the SRTT before this sample (RFC 6298 §2.3).
      this.#rttvar = (1 - BETA) * this.#rttvar + BETA * Math.abs(this.#srtt - sample);
      this.#srtt = (1 - ALPHA) * this.#srtt + ALPHA * sample;
    }
    this.#timeoutMs = Math.min(this.#capMs, Math.max(this.#floorMs, this.#srtt + K * this.#rttvar));
  }
}
