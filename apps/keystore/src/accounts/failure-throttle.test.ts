import { describe, expect, it } from 'vitest';
import { fakeClock } from '../testing/fake-clock.ts';
import { FailureThrottle } from './failure-throttle.ts';
import { MemoryFailureStore } from './memory-failure-store.ts';

const MINUTE = 60_000;

function throttle(maxSubjects?: number) {
  const clock = fakeClock();
  const store = new MemoryFailureStore({ maxSubjects });
  return {
    clock,
    store,
    t: new FailureThrottle({ clock, store, maxFailures: 3, windowMs: 10 * MINUTE, lockMs: 15 * MINUTE }),
  };
}

describe('FailureThrottle', () => {
  it('grants maxFailures slots in a window, the last one locking, then refuses for lockMs', async () => {
    const { clock, t } = throttle();
    expect(await t.reserve('a')).toEqual({ ok: true, locks: false });
    expect(await t.reserve('a')).toEqual({ ok: true, locks: false });
    expect(await t.reserve('a')).toEqual({ ok: true, locks: true });
    expect(await t.reserve('a')).toEqual({ ok: false, retryAfterMs: 15 * MINUTE });
    clock.advance(15 * MINUTE - 1);
    expect(await t.reserve('a')).toEqual({ ok: false, retryAfterMs: 1 });
    clock.advance(1);
    // The lock over, the count starts again.
    expect(await t.reserve('a')).toEqual({ ok: true, locks: false });
    expect(await t.reserve('b')).toEqual({ ok: true, locks: false });
  });

  it('takes slots atomically: of many reservations at once, exactly maxFailures are granted', async () => {
    const { t } = throttle();
    const results = await Promise.all(Array.from({ length: 20 }, () => t.reserve('a')));
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results.filter((r) => r.ok && r.locks)).toHaveLength(1);
  });

  it('forgets slots older than the window', async () => {
    const { clock, t } = throttle();
    await t.reserve('a');
    await t.reserve('a');
    clock.advance(10 * MINUTE);
    expect(await t.reserve('a')).toEqual({ ok: true, locks: false });
    expect(await t.reserve('a')).toEqual({ ok: true, locks: false });
  });

  it('a released slot is as if never taken: the lock it set goes, other slots stay counted', async () => {
    const { store, t } = throttle();
    await t.reserve('a');
    await t.reserve('a');
    expect(await t.reserve('a')).toEqual({ ok: true, locks: true });
    await t.release('a');
    expect(await store.lockedUntil('a')).toBe(0);
    expect(await t.reserve('a')).toEqual({ ok: true, locks: true });
    await t.release('a');
    await t.release('a');
    await t.release('a');
    await t.release('a');
    expect(await t.reserve('a')).toEqual({ ok: true, locks: false });
  });

  it('clear forgets the count', async () => {
    const { t } = throttle();
    await t.reserve('a');
    await t.reserve('a');
    await t.clear('a');
    expect(await t.reserve('a')).toEqual({ ok: true, locks: false });
    expect(await t.reserve('a')).toEqual({ ok: true, locks: false });
  });

  it('reads a lock written before slots were reserved (failures reset to 0 when it locked)', async () => {
    const { clock, store, t } = throttle();
    await store.update('a', () => ({
      next: { failures: 0, windowStart: clock.now(), lockedUntil: clock.now() + MINUTE },
      result: undefined,
    }));
    expect(await t.reserve('a')).toEqual({ ok: false, retryAfterMs: MINUTE });
  });

  it('tracks a bounded number of subjects in memory', async () => {
    const { store, t } = throttle(2);
    for (let i = 0; i < 3; i++) await t.reserve('old');
    await t.reserve('x');
    await t.reserve('y');
    // "old" was pushed out by the two newer subjects.
    expect(await store.lockedUntil('old')).toBe(0);
  });
});
