import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.ts';
import { ManualClock } from '../testing/manual-clock.ts';

function breaker(clock = new ManualClock()) {
  return { clock, breaker: new CircuitBreaker({ failureThreshold: 3, coolDownMs: 1000, clock }) };
}

describe('CircuitBreaker', () => {
  it('opens after consecutive failures only', () => {
    const { breaker: b } = breaker();
    b.failure();
    b.failure();
    b.success();
    b.failure();
    b.failure();
    expect(b.allow()).toBe(true);
    b.failure();
    expect(b.state).toBe('open');
    expect(b.allow()).toBe(false);
  });

  it('lets exactly one probe through after the cool-down, and closes on its success', () => {
    const { breaker: b, clock } = breaker();
    for (let i = 0; i < 3; i++) b.failure();
    clock.advance(999);
    expect(b.allow()).toBe(false);
    clock.advance(1);
    expect(b.allow()).toBe(true);
    expect(b.state).toBe('half-open');
    expect(b.allow()).toBe(false);
    b.success();
    expect(b.state).toBe('closed');
    expect(b.allow()).toBe(true);
  });

  it('re-opens for another cool-down when the probe fails', () => {
    const { breaker: b, clock } = breaker();
    for (let i = 0; i < 3; i++) b.failure();
    clock.advance(1000);
    expect(b.allow()).toBe(true);
    b.failure();
    expect(b.state).toBe('open');
    clock.advance(500);
    expect(b.allow()).toBe(false);
    clock.advance(500);
    expect(b.allow()).toBe(true);
  });
});
