import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock.ts';
import { singleBucketPlan } from './key-plan.ts';
import { LeaseBook } from './lease-book.ts';
import type { LimitPlan } from './limiter.ts';
import type { SharedReply } from './shared-limits.ts';
import { CONTENTION_MS } from './take-script.ts';

const CAPACITY = 1_600;
const plan = (id = 'k', capacity = CAPACITY): LimitPlan => singleBucketPlan(id, { capacity, refillPerSecond: 1 });

function granted(tokens: number, left: number, admitted = true): SharedReply {
  return {
    admitted,
    refusedBy: admitted ? null : 'bucket',
    quotaUsed: 0,
    quotaGranted: 0,
    buckets: [{ granted: tokens, tokens: left, msToFull: 1_000, msToRetry: 0, shadowRefused: false }],
  };
}

function setup(options: { maxPlans?: number } = {}) {
  const clock = new ManualClock();
  const book = new LeaseBook({ clock, windowMs: 250, ttlMs: 1_000, ...options });
  /** `n` requests on the plan at the current time, each counted in the lease's rate. */
  const requests = (p: LimitPlan, n: number) => {
    let found = book.leaseFor(p);
    for (let i = 1; i < n; i++) found = book.leaseFor(p);
    return found.lease;
  };
  return { clock, book, requests };
}

describe('LeaseBook', () => {
  it('a cold key wants nothing beyond its request: exactly the behaviour without leases', () => {
    const { book, requests } = setup();
    const lease = requests(plan(), 1);
    expect(book.spend(lease, 1)).toBeNull();
    expect(book.traffic(lease, 1)).toEqual({ want: [0], back: [0], quotaWant: 0, quotaBack: 0 });
  });

  it('a hot key wants what its rate needs for the window, at most a sixteenth of the bucket', () => {
    const { book, requests } = setup();
    // 2 000 requests within a moment: far more than a window's worth is capped at capacity / 16.
    const lease = requests(plan(), 2_000);
    expect(book.traffic(lease, 1).want).toEqual([CAPACITY / 16 - 1]);
  });

  it('concurrent calls do not each ask for a full window', () => {
    const { book, requests } = setup();
    const lease = requests(plan(), 2_000);
    const first = book.traffic(lease, 1);
    expect(first.want).toEqual([99]);
    expect(book.traffic(lease, 1).want).toEqual([0]);
    // The first call's reply releases what it asked for.
    book.settle(lease, first, granted(10, 500));
    expect(book.traffic(lease, 1).want[0]).toBeGreaterThan(0);
  });

  it('spends granted tokens without a call until they run out or the lease expires', () => {
    const { book, requests, clock } = setup();
    const lease = requests(plan(), 2_000);
    const traffic = book.traffic(lease, 1);
    const result = book.settle(lease, traffic, granted(3, 500));
    expect(result.allowed).toBe(true);
    expect(book.spend(lease, 1)?.allowed).toBe(true);
    expect(book.spend(lease, 2)?.allowed).toBe(true);
    expect(book.spend(lease, 1)).toBeNull();
    // Granted again, then the TTL passes: held tokens are not spent any more, they are due to go back.
    book.settle(lease, book.traffic(lease, 1), granted(4, 400));
    clock.advance(1_000);
    expect(book.spend(lease, 1)).toBeNull();
    expect(book.due()).toEqual([lease]);
    expect(book.giveBack(lease)).toEqual({ want: [0], back: [4], quotaWant: 0, quotaBack: 0 });
    expect(book.due()).toEqual([]);
  });

  it('what is held goes back with the next call, whatever its fate (never spent twice)', () => {
    const { book, requests } = setup();
    const lease = requests(plan(), 2_000);
    book.settle(lease, book.traffic(lease, 1), granted(5, 500));
    const next = book.traffic(lease, 1);
    expect(next.back).toEqual([5]);
    book.forget(lease, next);
    expect(book.spend(lease, 1)).toBeNull();
    expect(book.holding()).toEqual([]);
  });

  it('asked and got nothing: asks for no lease for the contention window', () => {
    const { book, requests, clock } = setup();
    const lease = requests(plan(), 2_000);
    book.settle(lease, book.traffic(lease, 1), granted(0, 500));
    expect(book.traffic(lease, 1).want).toEqual([0]);
    clock.advance(CONTENTION_MS);
    requests(plan(), 2_000);
    expect(book.traffic(lease, 1).want[0]).toBeGreaterThan(0);
  });

  it("headers from a lease: the store's last level, refilled since by its rate, plus what is held", () => {
    const { book, requests, clock } = setup();
    const lease = requests(plan(), 2_000);
    book.settle(lease, book.traffic(lease, 1), granted(10, 500));
    clock.advance(500);
    const spent = book.spend(lease, 1)!;
    // 500 in the store + 0.5 s of refill at 1/s + 9 held, floored.
    expect(spent.headline.remaining).toBe(509);
  });

  it('a plan whose limits changed starts a new lease and hands the old one back', () => {
    const { book, requests } = setup();
    const old = requests(plan('k', CAPACITY), 1);
    const { lease, evicted } = book.leaseFor(plan('k', CAPACITY * 2));
    expect(evicted).toBe(old);
    expect(lease).not.toBe(old);
  });

  it('tracks at most maxPlans, handing back the least recently used', () => {
    const { book } = setup({ maxPlans: 2 });
    const a = book.leaseFor(plan('a')).lease;
    book.leaseFor(plan('b'));
    book.leaseFor(plan('a'));
    expect(book.leaseFor(plan('c')).evicted?.plan.id).toBe('b');
    expect(book.size).toBe(2);
    expect(book.leaseFor(plan('a')).lease).toBe(a);
  });
});
