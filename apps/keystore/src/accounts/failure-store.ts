/** How many failures within a window lock a subject, and for how long. */
export interface FailurePolicy {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

/** One subject's failed-login count. Times are epoch milliseconds. */
export interface FailureEntry {
  failures: number;
  windowStart: number;
  lockedUntil: number;
}

/**
 * Failed-login counts per subject (an email, an address). In the database
 * for the real adapters, so every replica counts into the same entry and a
 * lock set by one holds on all.
 */
export interface FailureStore {
  /** Epoch ms until which `subject` is locked; 0 when it never was. */
  lockedUntil(subject: string): Promise<number>;
  /** Counts one failure, atomically with any other replica's; true when this one locked the subject. */
  recordFailure(subject: string, now: number, policy: FailurePolicy): Promise<boolean>;
  clear(subject: string): Promise<void>;
  /** Forgets entries whose window and lock both ended before `before`; returns how many. */
  prune(before: number): Promise<number>;
}

/** The counting rule every adapter applies inside its own atomic step. */
export function nextFailureEntry(
  current: FailureEntry | undefined,
  now: number,
  policy: FailurePolicy,
): { entry: FailureEntry; locked: boolean } {
  const entry =
    current === undefined || now - current.windowStart >= policy.windowMs
      ? { failures: 0, windowStart: now, lockedUntil: current?.lockedUntil ?? 0 }
      : { ...current };
  entry.failures++;
  if (entry.failures < policy.maxFailures) return { entry, locked: false };
  return { entry: { failures: 0, windowStart: now, lockedUntil: now + policy.lockMs }, locked: true };
}
