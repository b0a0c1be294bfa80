import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineQueue, type Expirable } from './deadline-queue.ts';

class Call implements Expirable {
  settled = false;
  deadline = 0;
  expired = false;
  expire(): void {
    this.settled = true;
    this.expired = true;
  }
  answer(): void {
    this.settled = true;
  }
}

describe('DeadlineQueue', () => {
  let now = 0;
  beforeEach(() => {
    vi.useFakeTimers();
    now = 0;
  });
  afterEach(() => vi.useRealTimers());
  const queue = () => new DeadlineQueue({ timeoutMs: 50, now: () => now });
  const advance = (ms: number) => {
    now += ms;
    vi.advanceTimersByTime(ms);
  };

  it('expires a call that did not answer within the timeout, and only then', () => {
    const q = queue();
    const call = new Call();
    q.add(call);
    advance(49);
    expect(call.expired).toBe(false);
    advance(1);
    expect(call.expired).toBe(true);
    expect(q.size).toBe(0);
  });

  it('never expires a call that answered', () => {
    const q = queue();
    const call = new Call();
    q.add(call);
    call.answer();
    advance(100);
    expect(call.expired).toBe(false);
  });

  it('expires calls in the order they were made, each at its own deadline', () => {
    const q = queue();
    const first = new Call();
    const second = new Call();
    q.add(first);
    advance(30);
    q.add(second);
    advance(20);
    expect([first.expired, second.expired]).toEqual([true, false]);
    advance(29);
    expect(second.expired).toBe(false);
    advance(1);
    expect(second.expired).toBe(true);
  });

  it('runs no timer while nothing waits', () => {
    const q = queue();
    const call = new Call();
    q.add(call);
    call.answer();
    advance(50);
    expect(vi.getTimerCount()).toBe(0);
    q.add(new Call());
    expect(vi.getTimerCount()).toBe(1);
  });

  it('keeps a bounded array under a steady stream of answered calls', () => {
    const q = queue();
    for (let i = 0; i < 10_000; i++) {
      const call = new Call();
      q.add(call);
      call.answer();
      advance(1);
    }
    expect(q.size).toBeLessThan(100);
  });

  it('drops everything on clear without expiring it', () => {
    const q = queue();
    const call = new Call();
    q.add(call);
    q.clear();
    advance(100);
    expect(call.expired).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a duration read per call: a longer one is waited in full, a shorter one never expires a call before the one before it', () => {
    let timeoutMs = 50;
    const q = new DeadlineQueue({ timeoutMs: () => timeoutMs, now: () => now });
    const slow = new Call();
    q.add(slow);
    timeoutMs = 200;
    const longer = new Call();
    q.add(longer);
    advance(50);
    expect([slow.expired, longer.expired]).toEqual([true, false]);
    timeoutMs = 10;
    const shorter = new Call();
    q.add(shorter);
    advance(10);
    // Its own 10 ms are up, but it waits for the call before it (deadlines stay in call order).
    expect(shorter.expired).toBe(false);
    advance(140);
    expect([longer.expired, shorter.expired]).toEqual([true, true]);
  });
});
