import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startRedis } from './redis-container.ts';

function ping(url: string, timeoutMs: number): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port) });
    const timer = setTimeout(() => (socket.destroy(), resolve('timeout')), timeoutMs);
    socket.on('data', (data) => (clearTimeout(timer), socket.destroy(), resolve(data.toString().trim())));
    socket.on('error', (error) => (clearTimeout(timer), resolve(error.message)));
    socket.write('PING\r\n');
  });
}

describe('startRedis', () => {
  it('starts a reachable Redis that can be paused and resumed', async () => {
    await using redis = await startRedis();
    expect(await ping(redis.url, 2000)).toBe('+PONG');
    await redis.pause();
    expect(await ping(redis.url, 300)).toBe('timeout');
    await redis.unpause();
    expect(await ping(redis.url, 2000)).toBe('+PONG');
  });
});
