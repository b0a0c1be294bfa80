import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CircuitBreaker } from '../resilience/index.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { FailoverLimiter, type SharedStore } from './failover-limiter.ts';
import { MemoryTokenBucket } from './memory-token-bucket.ts';
import { RoundTripDeadline } from '../resilience/index.ts';
import type { SharedReply } from './shared-limits.ts';

/** A shared store whose replies the test gives, one call at a time, whenever it likes. */
class HeldStore implements SharedStore {
  ready = true;
  readonly calls: { resolve(reply: SharedReply): void; reject(error: Error): void }[] = [];
  decide(): Promise<SharedReply> {
    return new Promise((resolve, reject) => this.calls.push({ resolve, reject }));
  }
}

function reply(admitted: boolean, tokens: number): SharedReply {
  return {
    admitted,
    refusedBy: admitted ? null : 'bucket',
    quotaUsed: 0,
    quotaGranted: 0,
    buckets: [{ granted: 0, tokens, msToFull: 1_000, msToRetry: admitted ? 0 : 1_000, shadowRefused: false }],
  };
}

const FLOOR_MS = 20;

function setup() {
  const clock = new ManualClock();
  const registry = new Registry();
  const store = new HeldStore();
  const deadline = new RoundTripDeadline({ floorMs: FLOOR_MS, capMs: 1_000 });
  const limiter = new FailoverLimiter({
    local: new MemoryTokenBucket({ clock }),
    registry,
    logger: pino({ level: 'silent' }),
    clock,
    // Round trips and deadlines on the same hand-moved clock.
    monotonicNow: () => clock.now(),
    shared: {
      store,
      // Never opens here: every request is a call, so each test sees the fallback of a missed deadline.
      breaker: new CircuitBreaker({ failureThreshold: 1_000, coolDownMs: 1_000, clock }),
      deadline,
      close: async () => undefined,
    },
  });
  const metric = async (name: string) =>
    (await registry.getSingleMetric(name)!.get()).values.reduce((sum, v) => sum + v.value, 0);
  /** Moves both the clock and the timers past the current deadline: every call in flight expires. */
  const missDeadline = async () => {
    clock.advance(deadline.timeoutMs + 1);
    await vi.advanceTimersByTimeAsync(deadline.timeoutMs + 1);
  };
  return { clock, store, limiter, deadline, metric, missDeadline };
}

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('FailoverLimiter: a late reply is reconciled, never counted twice', () => {
  // Refill 1 token a second: a level one token off shows one second later.
  const limit = { capacity: 5, refillPerSecond: 1 };

  it('the fallback starts from the level Redis last reported, and late replies land in it once', async () => {
    const { store, limiter, metric, missDeadline, clock } = setup();
    // R1, in time: Redis says 2 left (other proxies spent 2).
    const r1 = limiter.take('k', limit);
    store.calls[0]!.resolve(reply(true, 2));
    expect(await r1).toMatchObject({ allowed: true, remaining: 2 });
    // R2, R3, R4 miss the deadline: the fallback decides from 2, not from a full bucket of 5.
    const pending = [limiter.take('k', limit), limiter.take('k', limit), limiter.take('k', limit)];
    await missDeadline();
    expect((await Promise.all(pending)).map((d) => d.allowed)).toEqual([true, true, false]);
    // Redis's late replies: it admitted R2 and R3 too (1, then 0 left), and refused R4.
    store.calls[1]!.resolve(reply(true, 1));
    store.calls[2]!.resolve(reply(true, 0));
    store.calls[3]!.resolve(reply(false, 0));
    await vi.advanceTimersByTimeAsync(0);
    expect(await metric('routemcp_proxy_ratelimit_late_replies_total')).toBe(3);
    // Every admission was one Redis counted too: nothing the fleet over-admitted.
    expect(await metric('routemcp_proxy_ratelimit_fallback_admitted_total')).toBe(0);
    // The local level is Redis's 0, not −2 (R2 and R3 debited again) nor 2 (their debits forgotten): one
    // second of refill is exactly one token.
    clock.advance(1_000);
    const next = [limiter.take('k', limit), limiter.take('k', limit)];
    await missDeadline();
    expect((await Promise.all(next)).map((d) => d.allowed)).toEqual([true, false]);
  });

  it('a fallback admission that Redis refused in its late reply is counted as over-admitted', async () => {
    const { store, limiter, metric, missDeadline } = setup();
    const r1 = limiter.take('k', limit);
    store.calls[0]!.resolve(reply(true, 1));
    await r1;
    const r2 = limiter.take('k', limit);
    await missDeadline();
    expect((await r2).allowed).toBe(true);
    // Meanwhile another proxy took the last token: Redis refuses R2.
    store.calls[1]!.resolve(reply(false, 0));
    await vi.advanceTimersByTimeAsync(0);
    expect(await metric('routemcp_proxy_ratelimit_fallback_admitted_total')).toBe(1);
  });

  it("the deadline follows Redis's round trips, late replies included", async () => {
    const { store, limiter, deadline, clock, metric } = setup();
    expect(deadline.timeoutMs).toBe(FLOOR_MS);
    // A reply 100 ms after its call (late: the deadline was 20 ms) is a sample all the same.
    const r1 = limiter.take('k', limit);
    clock.advance(100);
    await vi.advanceTimersByTimeAsync(100);
    await r1;
    store.calls[0]!.resolve(reply(true, 4));
    await vi.advanceTimersByTimeAsync(0);
    expect(deadline.timeoutMs).toBe(100 + 4 * 50);
    expect(await metric('routemcp_proxy_ratelimit_redis_deadline_seconds')).toBeCloseTo(0.3);
    // The next call waits that long: 250 ms is still in time.
    const r2 = limiter.take('k', limit);
    clock.advance(250);
    await vi.advanceTimersByTimeAsync(250);
    store.calls[1]!.resolve(reply(false, 0));
    expect((await r2).allowed).toBe(false);
    expect(await metric('routemcp_proxy_ratelimit_redis_errors_total')).toBe(1);
  });

  it('every redis error kind has a series from the start, at 0', async () => {
    const { registry } = { registry: new Registry() };
    new FailoverLimiter({
      local: new MemoryTokenBucket({ clock: new ManualClock() }),
      registry,
      logger: pino({ level: 'silent' }),
      clock: new ManualClock(),
      shared: {
        store: new HeldStore(),
        breaker: new CircuitBreaker({ failureThreshold: 3, coolDownMs: 1_000, clock: new ManualClock() }),
        deadline: new RoundTripDeadline({ floorMs: FLOOR_MS, capMs: 1_000 }),
        close: async () => undefined,
      },
    });
    const text = await registry.metrics();
    for (const kind of ['timeout', 'error', 'circuit_open'])
      expect(text).toContain(`routemcp_proxy_ratelimit_redis_errors_total{kind="${kind}"} 0`);
    expect(text).toContain('routemcp_proxy_ratelimit_fallback_admitted_total 0');
    expect(text).toContain('routemcp_proxy_ratelimit_late_replies_total 0');
  });
});
