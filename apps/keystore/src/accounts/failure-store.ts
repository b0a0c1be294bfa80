/** How many failures within a window lock a subject, and for how long. */
export interface FailurePolicy {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

/**
 * One subject's attempt count. `failures` counts the window's failed logins
 * and the attempts still being checked (each reserved its slot before its
 * password was checked). Times are epoch milliseconds.
 */
export interface FailureEntry {
  failures: number;
  windowStart: number;
  lockedUntil: number;
}

/** What an atomic step writes back (null: forget the subject) and what it answers. */
export interface FailureStep<T> {
  next: FailureEntry | null;
  result: T;
}

/**
 * Attempt counts per subject (an email, an address). In the database for the
 * real adapters, so every replica counts into the same entry and a lock set by
 * one holds on all. Adapters only read and write rows; what a step means lives
 * in the pure functions below.
 */
export interface FailureStore {
  /** Epoch ms until which `subject` is locked; 0 when it is not (or never was). */
  lockedUntil(subject: string): Promise<number>;
  /**
   * Reads `subject`'s entry, applies `step` and writes what it returns, as one
   * atomic step against every other caller and replica (`step` is pure and sync).
   */
  update<T>(subject: string, step: (current: FailureEntry | undefined) => FailureStep<T>): Promise<T>;
  clear(subject: string): Promise<void>;
  /** Forgets entries whose window and lock both ended before `before`; returns how many. */
  prune(before: number): Promise<number>;
}

/** A slot to check one password in, or how long the subject is locked. */
export type Reservation =
  | { ok: true; /** This slot reached the limit: the subject is locked from now. */ locks: boolean }
  | { ok: false; retryAfterMs: number };

/**
 * Takes one attempt slot before the password is checked. The slot that
 * reaches `maxFailures` locks the subject at once, so however many attempts
 * arrive together, at most `maxFailures` are checked per window.
 */
export function reserveSlot(
  current: FailureEntry | undefined,
  now: number,
  policy: FailurePolicy,
): FailureStep<Reservation> {
  if (current !== undefined && current.lockedUntil > now) {
    return { next: current, result: { ok: false, retryAfterMs: current.lockedUntil - now } };
  }
  // A window that ended, or a lock that ended, starts the count again.
  const fresh =
    current === undefined || now - current.windowStart >= policy.windowMs || current.failures >= policy.maxFailures;
  const failures = (fresh ? 0 : current.failures) + 1;
  const windowStart = fresh ? now : current.windowStart;
  const locks = failures >= policy.maxFailures;
  const lockedUntil = locks ? now + policy.lockMs : (current?.lockedUntil ?? 0);
  return { next: { failures, windowStart, lockedUntil }, result: { ok: true, locks } };
}

/**
 * Gives a slot back: its password was right, or it was never checked. If that
 * slot is what reached the limit, the lock it set goes too: the count is
 * again below the limit, exactly as if the attempt had not been made.
 */
export function releaseSlot(current: FailureEntry | undefined, policy: FailurePolicy): FailureStep<void> {
  if (current === undefined || current.failures === 0) return { next: current ?? null, result: undefined };
  const failures = current.failures - 1;
  const unlock = current.failures >= policy.maxFailures && failures < policy.maxFailures;
  return { next: { ...current, failures, lockedUntil: unlock ? 0 : current.lockedUntil }, result: undefined };
}
