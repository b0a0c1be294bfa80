import { startRedis } from '@routemcp/testing';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createClient } from 'redis';
import { describe, expect, it, vi } from 'vitest';
import { systemClock } from '../clock.ts';
import { createLimiter } from './index.ts';
import type { Limiter } from './limiter.ts';
import type { LimitPlan } from './limiter.ts';
import { singleBucketPlan } from './key-plan.ts';
import { bucketKey, quotaKey, slotTag } from './store-keys.ts';
import { createBucketClient } from './redis-client.ts';
import { SharedLimits } from './shared-limits.ts';
import { CONTENTION_MS, takeTokensScript } from './take-script.ts';

const logger = pino({ level: 'silent' });

/** One bucket straight on Redis (no limiter around it): `take` as the limiter's single-bucket shorthand. */
async function bucketOn(url: string) {
  const client = createBucketClient({ kind: 'single', url }, 2_000);
  await client.connect();
  const store = new SharedLimits(client, 'test-lessee', systemClock);
  return {
    store,
    bucket: {
      take: async (bucketId: string, limit: { capacity: number; refillPerSecond: number }, cost = 1) => {
        const reply = await store.decide(singleBucketPlan(bucketId, limit), cost);
        const state = reply.buckets[0]!;
        return {
          allowed: reply.admitted,
          remaining: state.tokens,
          retryAfterSeconds: reply.admitted ? 0 : Math.max(1, Math.ceil(state.msToRetry / 1000)),
          resetSeconds: Math.ceil(state.msToFull / 1000),
        };
      },
    },
    [Symbol.asyncDispose]: async () => client.destroy(),
  };
}

async function rawClient(url: string) {
  const client = createClient({ url });
  await client.connect();
  return Object.assign(client, { [Symbol.asyncDispose]: async () => client.destroy() });
}

function limiterOn(url: string, redisTimeoutMs = 50) {
  const registry = new Registry();
  const limiter = createLimiter({ redis: { kind: 'single', url }, redisTimeoutMs, registry, logger });
  const errors = async (kind: string) =>
    (await registry.getSingleMetric('routemcp_proxy_ratelimit_redis_errors_total')!.get()).values.find(
      (v) => v.labels.kind === kind,
    )?.value ?? 0;
  return { limiter, registry, errors, [Symbol.asyncDispose]: () => limiter.close() };
}

async function untilRedisMode(limiter: Limiter) {
  await vi.waitFor(
    async () => {
      await limiter.take('probe', { capacity: 1000, refillPerSecond: 1000 });
      expect(limiter.mode()).toBe('redis');
    },
    { timeout: 15_000, interval: 100 },
  );
}

describe('SharedLimits on a real Redis', () => {
  it('is exact under concurrency: 200 parallel takes on a bucket of 100 let exactly 100 through', async () => {
    await using redis = await startRedis();
    await using s = await bucketOn(redis.url);
    const decisions = await Promise.all(
      Array.from({ length: 200 }, () => s.bucket.take('exact', { capacity: 100, refillPerSecond: 0.001 }, 1)),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(100);
    expect(decisions.filter((d) => !d.allowed).every((d) => d.retryAfterSeconds >= 1 && d.remaining === 0)).toBe(true);
  });

  it("refills by Redis's clock and lets an idle bucket expire when it would be full", async () => {
    await using redis = await startRedis();
    await using s = await bucketOn(redis.url);
    await using raw = await rawClient(redis.url);
    const limit = { capacity: 2, refillPerSecond: 10 };
    expect((await s.bucket.take('refill', limit, 2)).allowed).toBe(true);
    const key = singleBucketPlan('refill', limit).buckets[0]!.key;
    const pttl = await raw.pTTL(key);
    expect(pttl).toBeGreaterThan(0);
    // Full again within 200 ms; the hash stays CONTENTION_MS to remember its last lessee.
    expect(pttl).toBeLessThanOrEqual(CONTENTION_MS);
    expect(await s.bucket.take('refill', limit, 1)).toMatchObject({
      allowed: false,
      retryAfterSeconds: 1,
      resetSeconds: 1,
    });
    await vi.waitFor(async () => expect((await s.bucket.take('refill', limit, 1)).allowed).toBe(true), {
      timeout: 5_000,
      interval: 20,
    });
    await vi.waitFor(async () => expect(await raw.exists(key)).toBe(0), {
      timeout: 5_000,
      interval: 20,
    });
  });

  it('survives SCRIPT FLUSH mid-traffic without an error reaching the caller', async () => {
    await using redis = await startRedis();
    await using raw = await rawClient(redis.url);
    await using s = limiterOn(redis.url, 2_000);
    await untilRedisMode(s.limiter);
    const errorsBefore = await s.errors('error');
    const limit = { capacity: 1000, refillPerSecond: 0.001 };
    const traffic = Array.from({ length: 50 }, (_, i) => s.limiter.take(`flush${i % 5}`, limit));
    await raw.scriptFlush();
    traffic.push(...Array.from({ length: 50 }, (_, i) => s.limiter.take(`flush${i % 5}`, limit)));
    const decisions = await Promise.all(traffic);
    expect(decisions.every((d) => d.allowed)).toBe(true);
    expect(s.limiter.mode()).toBe('redis');
    expect(await s.errors('error')).toBe(errorsBefore);
    // node-redis answered NOSCRIPT with EVAL, which loaded the script again.
    expect((await raw.scriptExists(takeTokensScript.SHA1)).map(Number)).toEqual([1]);
    expect((await s.limiter.take('flush0', limit)).remaining).toBe(1000 - 21);
  });
});

describe('createLimiter fail-over on a real Redis', () => {
  it('answers from local buckets within about the timeout while Redis is paused, then goes back to Redis', async () => {
    await using redis = await startRedis();
    await using s = limiterOn(redis.url, 50);
    await untilRedisMode(s.limiter);
    const limit = { capacity: 5, refillPerSecond: 0.001 };
    await redis.pause();
    const decisions = [];
    for (let i = 0; i < 8; i++) {
      const started = performance.now();
      decisions.push(await s.limiter.take('paused', limit));
      // A liveness bound, not a benchmark: without the deadline this would wait forever. The deadline is at
      // most REDIS_TIMEOUT_MAX_MS (1 s); the rest is slack for a loaded machine.
      expect(performance.now() - started).toBeLessThan(5_000);
    }
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false, false]);
    expect(s.limiter.mode()).toBe('fallback');
    expect(await s.errors('timeout')).toBeGreaterThanOrEqual(1);
    expect(await s.errors('circuit_open')).toBeGreaterThanOrEqual(1);
    await redis.unpause();
    await untilRedisMode(s.limiter);
    expect((await s.limiter.take('back', limit)).remaining).toBe(4);
  });

  it('falls back when Redis is stopped, and never rejects', async () => {
    const redis = await startRedis();
    await using s = limiterOn(redis.url, 50);
    await untilRedisMode(s.limiter);
    await redis[Symbol.asyncDispose]();
    const limit = { capacity: 3, refillPerSecond: 0.001 };
    const decisions = [];
    for (let i = 0; i < 5; i++) decisions.push(await s.limiter.take('stopped', limit));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
    expect(s.limiter.mode()).toBe('fallback');
  });
});

describe('plans on a real Redis: several buckets, shadow buckets, quotas', () => {
  const plan = (id: string, over: Partial<LimitPlan> = {}): LimitPlan => ({
    id,
    buckets: [
      {
        key: bucketKey(slotTag(id, null), 'key', id, 'burst'),
        name: 'burst',
        limit: { capacity: 2, refillPerSecond: 0.001 },
        shadow: false,
      },
      {
        key: bucketKey(slotTag(id, null), 'key', id, 'day'),
        name: 'day',
        limit: { capacity: 5, refillPerSecond: 0.001 },
        shadow: false,
      },
    ],
    quota: null,
    ...over,
  });

  it('needs every bucket to admit, and spends nothing when one refuses', async () => {
    await using redis = await startRedis();
    await using s = limiterOn(redis.url, 2_000);
    await untilRedisMode(s.limiter);
    const p = plan('multi');
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await s.limiter.admit(p));
    expect(results.map((r) => r.allowed)).toEqual([true, true, false]);
    expect(results[2]).toMatchObject({ refusedBy: 'bucket', headline: { limit: 2, remaining: 0 } });
    // The refused request spent nothing from the second bucket: 5 − 2 left.
    expect(results[2]!.buckets[1]).toMatchObject({ allowed: true, remaining: 3 });
  });

  it('counts a shadow bucket without ever refusing on it', async () => {
    await using redis = await startRedis();
    await using s = limiterOn(redis.url, 2_000);
    await untilRedisMode(s.limiter);
    const shadowed = plan('shadow');
    const p = { ...shadowed, buckets: [{ ...shadowed.buckets[0]!, shadow: true }] };
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await s.limiter.admit(p));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, true]);
    expect(results.map((r) => r.shadowRefused)).toEqual([[], [], ['burst'], ['burst']]);
  });

  it('refuses past a quota seeded with the keystore count, and keeps counting locally while Redis is paused', async () => {
    await using redis = await startRedis();
    await using s = limiterOn(redis.url, 100);
    await untilRedisMode(s.limiter);
    const roomy = { capacity: 1_000, refillPerSecond: 1_000 };
    const quota = {
      key: quotaKey(slotTag('q', null), 'key', 'q', 0),
      limit: 6,
      endsAt: Date.now() + 3_600_000,
      seed: 2,
    };
    const p: LimitPlan = { id: 'q', buckets: [{ ...plan('q').buckets[0]!, limit: roomy }], quota };
    const before = [];
    for (let i = 0; i < 3; i++) before.push(await s.limiter.admit(p));
    expect(before.map((r) => [r.allowed, r.quota?.remaining])).toEqual([
      [true, 3],
      [true, 2],
      [true, 1],
    ]);
    await redis.pause();
    // The local fallback starts from the count Redis last gave (5 of 6): one more, then QUOTA_EXCEEDED, never a 500.
    const during = [];
    for (let i = 0; i < 3; i++) during.push(await s.limiter.admit(p));
    expect(during.map((r) => [r.allowed, r.refusedBy])).toEqual([
      [true, null],
      [false, 'quota'],
      [false, 'quota'],
    ]);
    await redis.unpause();
    await untilRedisMode(s.limiter);
    const after = await s.limiter.admit(p);
    expect(after).toMatchObject({ allowed: false, refusedBy: 'quota' });
  });
});
