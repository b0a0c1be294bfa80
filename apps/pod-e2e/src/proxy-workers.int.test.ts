import { docker } from '@routemcp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyLog } from './container-log.ts';
import { request } from './http-client.ts';
import { poll } from './poll.ts';
import { startStack, type Stack } from './stack.ts';
import { numberedTraffic } from './traffic.ts';

let stack: Stack;
let key: string;

beforeAll(async () => {
  stack = await startStack({ proxyEnv: { LOG_LEVEL: 'info', PROXY_WORKERS: '2' } });
  ({ key } = await stack.admin.createKey({
    environment: 'live',
    rateLimit: { capacity: 100_000, refillPerSecond: 1_000 },
  }));
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

// The proxy image as shipped (its CMD, heap flags and all), as PID 1 of its container, with two workers.
describe('the proxy container with PROXY_WORKERS=2', () => {
  it('serves from both workers; the admin port speaks for both', async () => {
    const { answered, failed } = await numberedTraffic(
      `${stack.podUrl}/api/v1/contacts?provider=hubspot`,
      key,
      40,
      4,
      'spread-',
    );
    expect([...failed.values()]).toEqual([]);
    expect([...new Set(answered.values())]).toEqual([200]);
    const ready = await request(`${stack.adminUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toMatchObject({ data: { status: 'ready', limiter: 'redis', workers: 2 } });
    const metrics = await request(`${stack.adminUrl}/metrics`);
    expect(metrics.body).toMatch(/^routemcp_proxy_workers 2$/m);

    // The access log is buffered (flushed every 200 ms): wait for the last lines to be written.
    const served = await poll('40 access-log lines', async () => {
      const log = await proxyLog(stack.proxy.getId());
      const lines = log.filter((entry) => entry.msg === 'request' && entry.reqId?.startsWith('spread-') === true);
      return lines.length >= 40 ? lines : undefined;
    });
    expect(served).toHaveLength(40);
    expect(new Set(served.map((entry) => entry.worker))).toEqual(new Set([1, 2]));
  });

  it('docker stop during traffic: both workers drain, the container exits 0', async () => {
    const traffic = numberedTraffic(`${stack.podUrl}/api/v1/contacts?provider=hubspot`, key, 300, 4, 'stop-');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await docker('stop', '--time', '15', stack.proxy.getId());
    const { answered, failed } = await traffic;
    expect(answered.size).toBeGreaterThan(0);
    expect([...new Set(answered.values())]).toEqual([200]);

    const exitCode = (await docker('inspect', '--format', '{{.State.ExitCode}}', stack.proxy.getId())).trim();
    expect(exitCode).toBe('0');
    const log = await proxyLog(stack.proxy.getId());
    const stopped = log.filter((entry) => entry.msg === 'stopped');
    expect(stopped.filter((entry) => entry.worker !== 0).map((entry) => entry.result)).toEqual(['drained', 'drained']);
    expect(stopped.filter((entry) => entry.worker === 0)).toHaveLength(1);
    // Accepted (in the access log) means answered with a 200; refused connections never reached a worker.
    const accepted = new Set(log.filter((entry) => entry.msg === 'request').map((entry) => entry.reqId));
    expect([...accepted].filter((id) => id?.startsWith('stop-') === true && answered.get(id) !== 200)).toEqual([]);
    for (const [id, message] of failed) {
      expect(message).toMatch(/ECONNREFUSED|ECONNRESET/);
      expect(accepted.has(id)).toBe(false);
    }
  });
});
