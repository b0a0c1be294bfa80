import { describe, expect, it } from 'vitest';
import { fakeClock } from '../testing/fake-clock.ts';
import { FailureThrottle } from './failure-throttle.ts';

const MINUTE = 60_000;

function throttle(maxSubjects?: number) {
  const clock = fakeClock();
  return {
    clock,
    t: new FailureThrottle({ clock, maxFailures: 3, windowMs: 10 * MINUTE, lockMs: 15 * MINUTE, maxSubjects }),
  };
}

describe('FailureThrottle', () => {
  it('locks after maxFailures within the window, for lockMs', () => {
    const { clock, t } = throttle();
    expect(t.fail('a')).toBe(false);
    expect(t.fail('a')).toBe(false);
    expect(t.retryAfterMs('a')).toBe(0);
    expect(t.fail('a')).toBe(true);
    expect(t.retryAfterMs('a')).toBe(15 * MINUTE);
    clock.advance(15 * MINUTE - 1);
    expect(t.retryAfterMs('a')).toBe(1);
    clock.advance(1);
    expect(t.retryAfterMs('a')).toBe(0);
    expect(t.retryAfterMs('b')).toBe(0);
  });

  it('forgets failures older than the window', () => {
    const { clock, t } = throttle();
    t.fail('a');
    t.fail('a');
    clock.advance(10 * MINUTE);
    expect(t.fail('a')).toBe(false);
    expect(t.retryAfterMs('a')).toBe(0);
  });

  it('a success clears the count', () => {
    const { t } = throttle();
    t.fail('a');
    t.fail('a');
    t.succeed('a');
    expect(t.fail('a')).toBe(false);
  });

  it('tracks a bounded number of subjects', () => {
    const { t } = throttle(2);
    for (let i = 0; i < 3; i++) t.fail('old');
    t.fail('x');
    t.fail('y');
    // "old" was pushed out by the two newer subjects.
    expect(t.retryAfterMs('old')).toBe(0);
  });
});
