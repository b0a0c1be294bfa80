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
    t: new FailureThrottle({ clock, store, maxFailures: 3, windowMs: 10 * MINUTE, lockMs: 15 * MINUTE }),
  };
}

describe('FailureThrottle', () => {
  it('locks after maxFailures within the window, for lockMs', async () => {
    const { clock, t } = throttle();
    expect(await t.fail('a')).toBe(false);
    expect(await t.fail('a')).toBe(false);
    expect(await t.retryAfterMs('a')).toBe(0);
    expect(await t.fail('a')).toBe(true);
    expect(await t.retryAfterMs('a')).toBe(15 * MINUTE);
    clock.advance(15 * MINUTE - 1);
    expect(await t.retryAfterMs('a')).toBe(1);
    clock.advance(1);
    expect(await t.retryAfterMs('a')).toBe(0);
    expect(await t.retryAfterMs('b')).toBe(0);
  });

  it('forgets failures older than the window', async () => {
    const { clock, t } = throttle();
    await t.fail('a');
    await t.fail('a');
    clock.advance(10 * MINUTE);
    expect(await t.fail('a')).toBe(false);
    expect(await t.retryAfterMs('a')).toBe(0);
  });

  it('a success clears the count', async () => {
    const { t } = throttle();
    await t.fail('a');
    await t.fail('a');
    await t.succeed('a');
    expect(await t.fail('a')).toBe(false);
  });

  it('tracks a bounded number of subjects in memory', async () => {
    const { t } = throttle(2);
    for (let i = 0; i < 3; i++) await t.fail('old');
    await t.fail('x');
    await t.fail('y');
    // "old" was pushed out by the two newer subjects.
    expect(await t.retryAfterMs('old')).toBe(0);
  });
});
