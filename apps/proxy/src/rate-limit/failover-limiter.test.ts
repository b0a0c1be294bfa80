import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { CircuitBreaker } from '../resilience/index.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import type { Decision } from './limiter.ts';
import type { SharedReply } from './shared-limits.ts';
import { MemoryTokenBucket } from './memory-token-bucket.ts';
import { FailoverLimiter, type SharedStore } from './failover-limiter.ts';
import { RoundTripDeadline } from '../resilience/index.ts';

const limit = { capacity: 2, refillPerSecond: 0.001 };
const sharedDecision: Decision = { allowed: true, limit: 2, remaining: 1, resetSeconds: 1000, retryAfterSeconds: 0 };

/** What Redis answers for `sharedDecision`: one token left of 2, refilling at 0.001/s. */
const sharedReply: SharedReply = {
  admitted: true,
  refusedBy: null,
  quotaUsed: 0,
  quotaGranted: 0,
  buckets: [{ granted: 0, tokens: 1, msToFull: 1_000_000, msToRetry: 0, shadowRefused: false }],
};

/** A shared store whose behaviour tests switch: answer, fail, or never answer. */
class FakeShared implements SharedStore {
  behaviour: 'answer' | 'fail' | 'hang' = 'answer';
  ready = true;
  calls = 0;
  decide(): Promise<SharedReply> {
    this.calls++;
    if (this.behaviour === 'fail') return Promise.reject(new Error('READONLY'));
    if (this.behaviour === 'hang') return new Promise(() => undefined);
    return Promise.resolve(sharedReply);
  }
}

function setup(withShared = true, probeIntervalMs?: number) {
  const clock = new ManualClock();
  const registry = new Registry();
  const shared = new FakeShared();
  const limiter = new FailoverLimiter({
    local: new MemoryTokenBucket({ clock }),
    registry,
    logger: pino({ level: 'silent' }),
    clock,
    ...(probeIntervalMs === undefined ? {} : { probeIntervalMs }),
    shared: withShared
      ? {
          store: shared,
          breaker: new CircuitBreaker({ failureThreshold: 3, coolDownMs: 1000, clock }),
          deadline: new RoundTripDeadline({ floorMs: 20, capMs: 20 }),
          close: async () => undefined,
        }
      : undefined,
  });
  const value = async (name: string, labels: Record<string, string> = {}) =>
    (await registry.getSingleMetric(name)!.get()).values.find((v) =>
      Object.entries(labels).every(([k, l]) => v.labels[k] === l),
    )?.value ?? 0;
  return { clock, shared, limiter, value };
}

describe('FailoverLimiter', () => {
  it('uses only local buckets without Redis', async () => {
    const { limiter, value } = setup(false);
    expect(limiter.mode()).toBe('memory');
    expect((await limiter.take('k', limit)).allowed).toBe(true);
    expect((await limiter.take('k', limit)).allowed).toBe(true);
    expect(await limiter.take('k', limit)).toMatchObject({ allowed: false, retryAfterSeconds: 1000 });
    expect(await value('routemcp_proxy_ratelimit_decisions_total', { decision: 'limited', store: 'memory' })).toBe(1);
    expect(await value('routemcp_proxy_ratelimit_degraded')).toBe(0);
  });

  it("takes Redis's answer while it answers", async () => {
    const { limiter, value } = setup();
    expect(await limiter.take('k', limit)).toEqual(sharedDecision);
    expect(limiter.mode()).toBe('redis');
    expect(await value('routemcp_proxy_ratelimit_decisions_total', { decision: 'allowed', store: 'redis' })).toBe(1);
  });

  it.each(['fail', 'hang'] as const)(
    'answers from the local bucket when Redis %s, limiting only as the local bucket would',
    async (behaviour) => {
      const { limiter, shared, value } = setup();
      shared.behaviour = behaviour;
      const decisions = [];
      for (let i = 0; i < 3; i++) decisions.push(await limiter.take('k', limit));
      expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
      expect(limiter.mode()).toBe('fallback');
      expect(
        await value('routemcp_proxy_ratelimit_redis_errors_total', {
          kind: behaviour === 'fail' ? 'error' : 'timeout',
        }),
      ).toBe(3);
      expect(await value('routemcp_proxy_ratelimit_degraded')).toBe(1);
    },
  );

  it('stops trying Redis after consecutive failures and goes back once a probe succeeds', async () => {
    const { limiter, shared, clock, value } = setup();
    shared.behaviour = 'fail';
    for (let i = 0; i < 10; i++) await limiter.take(`k${i}`, limit);
    expect(shared.calls).toBe(3);
    expect(await value('routemcp_proxy_ratelimit_redis_errors_total', { kind: 'circuit_open' })).toBe(7);
    shared.behaviour = 'answer';
    await limiter.take('k', limit);
    expect(shared.calls).toBe(3);
    clock.advance(1000);
    expect(await limiter.take('k', limit)).toEqual(sharedDecision);
    expect(limiter.mode()).toBe('redis');
    expect(await value('routemcp_proxy_ratelimit_degraded')).toBe(0);
  });

  it('reports fallback while the client is not connected', () => {
    const { limiter, shared } = setup();
    shared.ready = false;
    expect(limiter.mode()).toBe('fallback');
  });

  it('an idle proxy notices Redis is back by itself (readiness recovers without traffic)', async () => {
    vi.useFakeTimers();
    try {
      const { shared, limiter, value } = setup(true, 100);
      shared.behaviour = 'fail';
      await limiter.take('k', limit);
      expect(limiter.mode()).toBe('fallback');
      shared.behaviour = 'answer';
      const callsBefore = shared.calls;
      await vi.advanceTimersByTimeAsync(150);
      expect(shared.calls).toBeGreaterThan(callsBefore);
      expect(limiter.mode()).toBe('redis');
      expect(await value('routemcp_proxy_ratelimit_degraded')).toBe(0);
      await limiter.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
