import { describe, expect, it } from 'vitest';
import { RoundTripDeadline } from './round-trip-deadline.ts';

describe('RoundTripDeadline (RFC 6298 over Redis round trips)', () => {
  it('is the floor until the first reply', () => {
    expect(new RoundTripDeadline({ floorMs: 50, capMs: 1_000 }).timeoutMs).toBe(50);
  });

  it('follows RFC 6298: SRTT = R, RTTVAR = R/2 first; then RTTVAR by 1/4, SRTT by 1/8; RTO = SRTT + 4 RTTVAR', () => {
    const deadline = new RoundTripDeadline({ floorMs: 1, capMs: 10_000 });
    deadline.observe(100);
    // SRTT 100, RTTVAR 50.
    expect(deadline.timeoutMs).toBe(300);
    deadline.observe(200);
    // RTTVAR = 3/4·50 + 1/4·|100 − 200| = 62.5; SRTT = 7/8·100 + 1/8·200 = 112.5.
    expect(deadline.timeoutMs).toBeCloseTo(112.5 + 4 * 62.5);
  });

  it('a uniformly slow Redis moves the deadline above its round trips: a steady 80 ms is waited for, not fallen back on', () => {
    const deadline = new RoundTripDeadline({ floorMs: 50, capMs: 1_000 });
    for (let i = 0; i < 50; i++) deadline.observe(80);
    expect(deadline.timeoutMs).toBeGreaterThan(80);
    expect(deadline.timeoutMs).toBeLessThan(90);
  });

  it('never goes below the floor, however fast Redis is', () => {
    const deadline = new RoundTripDeadline({ floorMs: 50, capMs: 1_000 });
    for (let i = 0; i < 100; i++) deadline.observe(0.3);
    expect(deadline.timeoutMs).toBe(50);
  });

  it('never goes above the cap, and a stall longer than the cap counts only as the cap', () => {
    const deadline = new RoundTripDeadline({ floorMs: 50, capMs: 1_000 });
    deadline.observe(30_000);
    expect(deadline.timeoutMs).toBe(1_000);
    // Back to fast replies: the deadline comes down as the samples of a 1 s stall would let it, not of 30 s.
    for (let i = 0; i < 40; i++) deadline.observe(1);
    expect(deadline.timeoutMs).toBe(50);
  });

  it('a cap below the floor is raised to it', () => {
    const deadline = new RoundTripDeadline({ floorMs: 200, capMs: 100 });
    deadline.observe(5_000);
    expect(deadline.timeoutMs).toBe(200);
  });
});
