import { createServer } from 'node:net';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createLimiter } from './index.ts';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('createLimiter', () => {
  it('without a Redis URL limits in memory', async () => {
    const limiter = createLimiter({ redisTimeoutMs: 50, registry: new Registry(), logger: pino({ level: 'silent' }) });
    expect(limiter.mode()).toBe('memory');
    expect(await limiter.take('k', { capacity: 1, refillPerSecond: 1 })).toMatchObject({ allowed: true, remaining: 0 });
    await limiter.close();
  });

  it('does not wait for an unreachable Redis: local buckets answer meanwhile', async () => {
    const redisUrl = `redis://127.0.0.1:${await closedPort()}`;
    const limiter = createLimiter({
      redis: { kind: 'single', url: redisUrl },
      redisTimeoutMs: 50,
      registry: new Registry(),
      logger: pino({ level: 'silent' }),
    });
    expect(limiter.mode()).toBe('fallback');
    const limit = { capacity: 2, refillPerSecond: 0.001 };
    const decisions = [await limiter.take('k', limit), await limiter.take('k', limit), await limiter.take('k', limit)];
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
    expect(limiter.mode()).toBe('fallback');
    await limiter.close();
  });
});
