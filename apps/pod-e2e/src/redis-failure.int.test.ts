import { docker } from '@routemcp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './http-client.ts';
import { poll } from './poll.ts';
import { startStack, type Stack } from './stack.ts';
import { countBy, sendTraffic, withTraffic } from './traffic.ts';

let stack: Stack;
let key: string;
let url: string;

beforeAll(async () => {
  stack = await startStack();
  // A bucket nobody empties here: any 429 would be a spurious one.
  ({ key } = await stack.admin.createKey({
    environment: 'live',
    rateLimit: { capacity: 100_000, refillPerSecond: 1_000 },
  }));
  url = `${stack.baseUrl}/api/v1/contacts?provider=hubspot`;
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

const limiterMode = async () => {
  const res = await request(`${stack.adminUrl}/readyz`);
  return (JSON.parse(res.body) as { data?: { limiter?: string } }).data?.limiter;
};

describe('Redis failing under traffic: rate limiting fails open to a local limit', () => {
  it('Redis paused (nothing answers) mid-traffic: every request still 200', async () => {
    const redisId = stack.redis.getId();
    const result = await withTraffic(url, key, async () => {
      await docker('pause', redisId);
      // Enough requests against the frozen Redis to cross every timeout on the path.
      await sendTraffic(url, key, 40, 2).then((during) => {
        expect(countBy(during.statuses)).toEqual({ 200: 40 });
      });
      await docker('unpause', redisId);
    });
    expect(result.errors).toEqual([]);
    expect(countBy(result.statuses)).toEqual({ 200: result.statuses.length });
  });

  it('Redis stopped mid-traffic, then started again: every request 200, and Redis is used again', async () => {
    const redisId = stack.redis.getId();
    const result = await withTraffic(url, key, async () => {
      await docker('stop', '--time', '0', redisId);
      const during = await sendTraffic(url, key, 40, 2);
      expect(countBy(during.statuses)).toEqual({ 200: 40 });
      expect(await limiterMode()).toBe('fallback');
      await docker('start', redisId);
    });
    expect(result.errors).toEqual([]);
    expect(countBy(result.statuses)).toEqual({ 200: result.statuses.length });
    // The limiter probes Redis with live traffic (one take per cool-down), so keep sending while waiting.
    await poll(
      'the proxy to use Redis again',
      async () => {
        expect((await sendTraffic(url, key, 4, 1)).statuses).toEqual([200, 200, 200, 200]);
        return (await limiterMode()) === 'redis' ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  });
});
