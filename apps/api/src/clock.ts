/** Injected time, so request durations are testable without sleeping. */
export interface Clock {
  /** Milliseconds; only differences are used. */
  now(): number;
}

export const systemClock: Clock = { now: () => performance.now() };
