import { describe, expect, it } from 'vitest';
import { AuthFailureBudget, HELD } from './auth-failure-budget.ts';
import { ManualClock } from '../testing/manual-clock.ts';

function setup(limitPerMinute = 3, maxClients = 100) {
  const clock = new ManualClock();
  return { clock, budget: new AuthFailureBudget({ limitPerMinute, maxClients, clock }) };
}

/** One complete attempt: admitted (or not), then settled as failed or not. Returns the admission. */
function attempt(budget: AuthFailureBudget, client: string, failed: boolean): number {
  const admission = budget.admit(client);
  if (admission > 0) return admission;
  budget.settle(client, admission, failed);
  return admission;
}

const failTimes = (budget: AuthFailureBudget, client: string, n: number) => {
  for (let i = 0; i < n; i++) attempt(budget, client, true);
};

describe('AuthFailureBudget', () => {
  it('costs a client that never failed nothing: no entry, no hold', () => {
    const { budget } = setup(1);
    for (let i = 0; i < 10; i++) expect(attempt(budget, 'a', false)).toBe(0);
  });

  it('lets a client fail up to the limit, then asks it to wait for one token', () => {
    const { budget } = setup(3);
    failTimes(budget, '10.0.0.1', 2);
    expect(budget.admit('10.0.0.1')).toBe(HELD);
    budget.settle('10.0.0.1', HELD, true);
    // 3 per minute: one token every 20 s.
    expect(budget.admit('10.0.0.1')).toBe(20);
  });

  it('refills over the minute', () => {
    const { budget, clock } = setup(3);
    failTimes(budget, 'a', 3);
    clock.advance(15_000);
    expect(budget.admit('a')).toBe(5);
    clock.advance(5_000);
    expect(attempt(budget, 'a', true)).toBe(HELD);
    expect(budget.admit('a')).toBe(20);
  });

  it('gives the held token back when the attempt succeeds', () => {
    const { budget } = setup(2);
    failTimes(budget, 'a', 1);
    for (let i = 0; i < 10; i++) expect(attempt(budget, 'a', false)).toBe(HELD);
    failTimes(budget, 'a', 1);
    expect(budget.admit('a')).toBeGreaterThan(0);
  });

  it('bounds concurrent attempts of a client that has failed before', () => {
    const { budget } = setup(5);
    failTimes(budget, 'a', 1);
    const admissions = Array.from({ length: 20 }, () => budget.admit('a'));
    expect(admissions.filter((a) => a === HELD)).toHaveLength(4);
    expect(admissions.filter((a) => a > 0)).toHaveLength(16);
  });

  it('keeps clients apart', () => {
    const { budget } = setup(1);
    failTimes(budget, 'a', 1);
    expect(budget.admit('a')).toBeGreaterThan(0);
    expect(budget.admit('b')).toBe(0);
  });

  it('never goes below empty when attempts admitted together all fail', () => {
    const { budget } = setup(3);
    const admissions = Array.from({ length: 50 }, () => budget.admit('a'));
    for (const admission of admissions) budget.settle('a', admission, true);
    expect(budget.admit('a')).toBe(20);
  });

  it('forgets the least recently seen clients past its size', () => {
    const { budget } = setup(1, 2);
    failTimes(budget, 'a', 1);
    failTimes(budget, 'b', 1);
    failTimes(budget, 'c', 1);
    expect(budget.admit('a')).toBe(0);
    expect(budget.admit('c')).toBeGreaterThan(0);
  });

  it('is off at 0, and ignores an unknown address', () => {
    const { budget } = setup(0);
    failTimes(budget, 'a', 10);
    expect(budget.admit('a')).toBe(0);
    const on = setup(1).budget;
    on.settle(undefined, 0, true);
    expect(on.admit(undefined)).toBe(0);
  });
});
