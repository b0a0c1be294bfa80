import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock.ts';
import { MemoryTokenBucket } from './memory-token-bucket.ts';

const limit = { capacity: 10, refillPerSecond: 2 };

function setup() {
  const clock = new ManualClock();
  return { clock, bucket: new MemoryTokenBucket({ clock }) };
}

describe('MemoryTokenBucket', () => {
  it('allows a burst of capacity, then limits with Retry-After until a token is back', async () => {
    const { bucket } = setup();
    for (let i = 9; i >= 0; i--)
      expect(await bucket.take('k', limit)).toMatchObject({
        allowed: true,
        limit: 10,
        remaining: i,
        retryAfterSeconds: 0,
      });
    expect(await bucket.take('k', limit)).toEqual({
      allowed: false,
      limit: 10,
      remaining: 0,
      resetSeconds: 5,
      retryAfterSeconds: 1,
    });
  });

  it('refills continuously at the configured rate, capped at capacity', async () => {
    const { bucket, clock } = setup();
    for (let i = 0; i < 10; i++) await bucket.take('k', limit);
    clock.advance(499);
    expect((await bucket.take('k', limit)).allowed).toBe(false);
    clock.advance(1);
    expect(await bucket.take('k', limit)).toMatchObject({ allowed: true, remaining: 0 });
    clock.advance(60_000);
    expect(await bucket.take('k', limit)).toMatchObject({ allowed: true, remaining: 9, resetSeconds: 1 });
  });

  it('reports reset as whole seconds until full and retry-after as whole seconds until one token', async () => {
    const { bucket } = setup();
    const slow = { capacity: 3, refillPerSecond: 0.25 };
    await bucket.take('k', slow);
    expect(await bucket.take('k', slow)).toMatchObject({ remaining: 1, resetSeconds: 8 });
    await bucket.take('k', slow);
    expect(await bucket.take('k', slow)).toEqual({
      allowed: false,
      limit: 3,
      remaining: 0,
      resetSeconds: 12,
      retryAfterSeconds: 4,
    });
  });

  it('takes a cost of several tokens at once, or none', async () => {
    const { bucket } = setup();
    expect(await bucket.take('k', limit, 7)).toMatchObject({ allowed: true, remaining: 3 });
    expect(await bucket.take('k', limit, 4)).toMatchObject({ allowed: false, remaining: 3, retryAfterSeconds: 1 });
  });

  it('keeps buckets apart and drops them once they would be full again', async () => {
    const { bucket, clock } = setup();
    await bucket.take('a', limit);
    await bucket.take('b', limit, 10);
    expect((await bucket.take('a', limit)).remaining).toBe(8);
    expect(bucket.size).toBe(2);
    clock.advance(1001);
    expect(bucket.size).toBe(1);
    clock.advance(4000);
    expect(bucket.size).toBe(0);
  });
});
