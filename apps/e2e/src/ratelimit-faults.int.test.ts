import { busyCores } from '@routemcp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleSum, scrape } from './admin-metrics.ts';
import { issueKey, issueSettledKey, ROOMY } from './issue-key.ts';
import { expectNoKeyLeaked } from './leaks.ts';
import { startRestartableRedis, type RestartableRedis } from './restartable-redis.ts';
import { startStack, type Stack } from './stack.ts';
import { call, sleep, statusOf, until } from './traffic.ts';

const PATH = '/api/v1/contacts?provider=hubspot';

let redis: RestartableRedis;
let stack: Stack;
let proxies: { url: string; adminUrl: string }[];
const issued: string[] = [];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the readiness body is asserted field by field
async function readiness(adminUrl: string): Promise<any> {
  const res = await fetch(`${adminUrl}/readyz`);
  return { status: res.status, ...((await res.json()) as object) };
}

/** Until every proxy's /readyz says `limiter: mode`; returns the last bodies. */
async function allReady(mode: 'redis' | 'fallback', timeoutMs: number) {
  return until(
    () => Promise.all(proxies.map((p) => readiness(p.adminUrl))),
    (bodies) => bodies.every((b) => b.data?.limiter === mode),
    { timeoutMs, intervalMs: 100 },
  );
}

/**
 * Requests alternating over the proxies, one every few ms, until `stop()`
 * (at most 600). Records every status and the slowest answer.
 */
function steadyTraffic(key: string) {
  const statuses: number[] = [];
  let slowestMs = 0;
  let stopped = false;
  const done = (async () => {
    for (let i = 0; i < 600 && !stopped; i++) {
      const started = performance.now();
      const res = await call(proxies[i % proxies.length]!.url, PATH, key);
      await res.arrayBuffer();
      slowestMs = Math.max(slowestMs, performance.now() - started);
      statuses.push(res.status);
      await sleep(15);
    }
  })();
  return {
    /** Requests answered so far. */
    answered: () => statuses.length,
    async stop() {
      stopped = true;
      await done;
      return { statuses, slowestMs };
    },
  };
}

/** A fresh small bucket, hit alternately through both proxies: shared only if Redis holds it. */
async function expectOneSharedBucket(): Promise<void> {
  const { key } = await issueKey(stack, issued, {
    environment: 'live',
    rateLimit: { capacity: 4, refillPerSecond: 0.01 },
  });
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push(await statusOf(proxies[i % 2]!.url, PATH, key));
  expect(statuses).toEqual([200, 200, 200, 200, 429]);
}

function summary(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}

beforeAll(async () => {
  redis = await startRestartableRedis();
  stack = await startStack({ redisUrl: redis.url });
  const second = await stack.startProxy();
  proxies = [{ url: stack.proxyUrl, adminUrl: stack.adminUrl }, second];
  await allReady('redis', 15_000);
});

afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
  await redis?.[Symbol.asyncDispose]();
});

describe('a loaded machine: the Redis deadline follows Redis, and the fallback follows its level', () => {
  it('a bucket of 5, 12 concurrent requests, five fresh keys, both cores busy, REDIS_TIMEOUT_MS=50: exactly 5 each time', async () => {
    // The flaky pod test's setting: 50 ms was the deadline whatever the machine's load.
    const proxy = await stack.startProxy({ REDIS_TIMEOUT_MS: '50' });
    const keys = [];
    for (let k = 0; k < 5; k++) {
      // One token more than the 5 under test, spent by one request that caches the key in the proxy first
      // (after its created event, which evicts it): a cold lookup timing out under this load is a 503 for
      // every request waiting on it, which is the keystore's story (lookup-faults), not the bucket's.
      const { key } = await issueSettledKey(
        stack,
        issued,
        { environment: 'live', rateLimit: { capacity: 6, refillPerSecond: 0.01 } },
        [proxy.adminUrl],
      );
      expect(await statusOf(proxy.url, PATH, key)).toBe(200);
      keys.push(key);
    }
    try {
      await using _spinners = await busyCores(2, 120_000);
      const tallies = [];
      for (const key of keys) {
        const statuses = await Promise.all(Array.from({ length: 12 }, () => statusOf(proxy.url, PATH, key)));
        tallies.push(summary(statuses));
      }
      const metrics = await scrape(proxy.adminUrl);
      console.info(
        `loaded bursts: ${JSON.stringify(tallies)}, late replies ${sampleSum(metrics, 'routemcp_proxy_ratelimit_late_replies_total', {})}, deadline ${sampleSum(metrics, 'routemcp_proxy_ratelimit_redis_deadline_seconds', {})} s`,
      );
      expect(tallies).toEqual(Array.from({ length: 5 }, () => ({ 200: 5, 429: 7 })));
    } finally {
      await proxy.app.stop();
    }
  });
});

describe('Redis faults mid-traffic: rate limiting fails open to a local limit', () => {
  it('Redis stopped, then started again: no 429, no 5xx; /readyz degraded during it, redis after; one shared bucket again', async () => {
    const { key } = await issueKey(stack, issued, { environment: 'live', rateLimit: ROOMY });
    const traffic = steadyTraffic(key);
    await sleep(500);
    await redis.stop();
    const atStop = traffic.answered();
    const during = await allReady('fallback', 5000);
    for (const body of during)
      expect(body).toMatchObject({ status: 200, data: { limiter: 'fallback', degraded: true } });
    await sleep(1000);
    const whileDown = traffic.answered() - atStop;
    await redis.start();
    const after = await allReady('redis', 20_000);
    await sleep(300);
    const { statuses } = await traffic.stop();
    console.info(`redis stop/start: ${statuses.length} requests ${JSON.stringify(summary(statuses))}`);
    for (const body of after) expect(body.data).toMatchObject({ limiter: 'redis' });
    // Traffic really ran through the outage (a count of the outage, not of the whole run: on a loaded box
    // the run is slow, and the total once fell to 50 of an old floor of 51).
    expect(whileDown).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    await expectOneSharedBucket();
  });

  it('Redis paused, then unpaused: no 429, no 5xx, no hanging; /readyz degraded during it, redis after; one shared bucket again', async () => {
    const { key } = await issueKey(stack, issued, { environment: 'live', rateLimit: ROOMY });
    const traffic = steadyTraffic(key);
    await sleep(500);
    await redis.pause();
    const atPause = traffic.answered();
    let during;
    let whilePaused: number;
    try {
      during = await allReady('fallback', 5000);
      await sleep(1000);
    } finally {
      whilePaused = traffic.answered() - atPause;
      await redis.unpause();
    }
    for (const body of during)
      expect(body).toMatchObject({ status: 200, data: { limiter: 'fallback', degraded: true } });
    const after = await allReady('redis', 20_000);
    await sleep(300);
    const { statuses, slowestMs } = await traffic.stop();
    console.info(
      `redis pause/unpause: ${statuses.length} requests ${JSON.stringify(summary(statuses))}, slowest ${slowestMs.toFixed(0)} ms`,
    );
    for (const body of after) expect(body.data).toMatchObject({ limiter: 'redis' });
    // Requests were answered while Redis was frozen (each of the first waits the Redis deadline, at least
    // REDIS_TIMEOUT_MS, 500 ms here, until the breaker opens: a handful, not dozens; see the stop/start case).
    expect(whilePaused).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    // Liveness: a frozen Redis costs a request the Redis deadline at most (never above REDIS_TIMEOUT_MAX_MS,
    // 1 s by default), not a hang; the rest is slack for a loaded machine.
    expect(slowestMs).toBeLessThan(3000);
    await expectOneSharedBucket();
  });

  it('Redis restarted (empty, no script loaded): the next requests are decided by Redis without an error', async () => {
    const { key } = await issueKey(stack, issued, { environment: 'live', rateLimit: ROOMY });
    expect(await statusOf(stack.proxyUrl, PATH, key)).toBe(200);
    const connects = () => stack.apps.proxy.output().split('"redis connected"').length;
    const connectsBefore = connects();
    await redis.restart();
    // Wait for the proxy to have seen the restart and reconnected, so no take below races the reconnect.
    expect(
      await until(
        async () => connects(),
        (n) => n > connectsBefore,
        { timeoutMs: 20_000, intervalMs: 100 },
      ),
    ).toBeGreaterThan(connectsBefore);
    await allReady('redis', 20_000);
    const before = await scrape(stack.adminUrl);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push(await statusOf(stack.proxyUrl, PATH, key));
    const after = await scrape(stack.adminUrl);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const delta = (name: string, labels: Record<string, string>) =>
      sampleSum(after, name, labels) - sampleSum(before, name, labels);
    // A lease is tokens Redis debited for this proxy: its decisions are Redis's too (issue 14).
    const decided = {
      redis:
        delta('routemcp_proxy_ratelimit_decisions_total', { store: 'redis' }) +
        delta('routemcp_proxy_ratelimit_decisions_total', { store: 'lease' }),
      fallback: delta('routemcp_proxy_ratelimit_decisions_total', { store: 'fallback' }),
      errors: delta('routemcp_proxy_ratelimit_redis_errors_total', { kind: 'error' }),
      timeouts: delta('routemcp_proxy_ratelimit_redis_errors_total', { kind: 'timeout' }),
    };
    console.info(`after a Redis restart: ${JSON.stringify(decided)}`);
    // NOSCRIPT is answered by EVAL, never surfaced as an error. (A take that outlived the Redis
    // deadline on this loaded box is a timeout, answered locally: not an error.)
    expect(decided.errors).toBe(0);
    expect(decided.redis + decided.fallback).toBe(20);
    expect(decided.redis).toBeGreaterThanOrEqual(15);
    await expectOneSharedBucket();
  });

  it('no issued key in any log or /metrics', async () => {
    await expectNoKeyLeaked(
      stack,
      issued,
      proxies.map((p) => p.adminUrl),
    );
  });
});
