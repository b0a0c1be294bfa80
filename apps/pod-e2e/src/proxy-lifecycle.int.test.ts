import { docker } from '@routemcp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyLog } from './container-log.ts';
import { bearer, request, type HttpResponse } from './http-client.ts';
import { startStack, type Stack } from './stack.ts';
import { numberedTraffic } from './traffic.ts';

const TRAFFIC_ID = 'drain-';

let stack: Stack;
let key: string;

beforeAll(async () => {
  // Info level: the access log tells which requests the proxy accepted.
  stack = await startStack({ proxyEnv: { LOG_LEVEL: 'info' } });
  ({ key } = await stack.admin.createKey({
    environment: 'live',
    rateLimit: { capacity: 100_000, refillPerSecond: 1_000 },
  }));
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

describe('the proxy container', () => {
  it('restarted: comes back ready and serves the same keys', async () => {
    const url = `${stack.baseUrl}/api/v1/contacts?provider=hubspot`;
    expect((await request(url, { headers: bearer(key) })).status).toBe(200);
    await stack.restartProxy();
    expect((await request(url, { headers: bearer(key) })).status).toBe(200);
  });

  it('stopped (SIGTERM) during traffic: every accepted request is answered', async () => {
    // Straight to the pod's address: through Docker's userland port proxy a refused connection would look
    // like a dropped one.
    const url = `${stack.podUrl}/api/v1/echo`;
    // In flight when SIGTERM lands: a body that takes a second to arrive.
    const slow: Promise<HttpResponse>[] = Array.from({ length: 3 }, () =>
      request(url, {
        method: 'POST',
        headers: { ...bearer(key), 'content-type': 'application/octet-stream', 'content-length': '10' },
        bodyChunks: Array.from({ length: 10 }, () => 'x'),
        chunkDelayMs: 100,
      }),
    );
    const quick = numberedTraffic(`${stack.podUrl}/api/v1/contacts?provider=hubspot`, key, 300, 4, TRAFFIC_ID);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await docker('stop', '--time', '15', stack.proxy.getId());

    const slowResults = await Promise.allSettled(slow);
    expect(slowResults.map((r) => (r.status === 'fulfilled' ? r.value.status : String(r.reason)))).toEqual([
      200, 200, 200,
    ]);
    const { answered, failed } = await quick;
    expect(answered.size).toBeGreaterThan(0);
    expect([...new Set(answered.values())]).toEqual([200]);

    const log = await proxyLog(stack.proxy.getId());
    // Drained, not forced: every connection ended on its own, so no accepted request died unlogged.
    expect(log.filter((entry) => entry.msg === 'stopped').at(-1)?.result).toBe('drained');
    // Every request the proxy accepted (its access log names it) reached the client with its 200.
    const accepted = new Set(log.filter((entry) => entry.msg === 'request').map((entry) => entry.reqId));
    const lost = [...accepted].filter((id) => id?.startsWith(TRAFFIC_ID) && answered.get(id) !== 200);
    expect(lost).toEqual([]);
    // A client that got no answer was refused, or reset by the kernel: its connection still sat in the
    // listen queue when the listener closed, and the proxy never read it (so it is not in the access log).
    for (const [id, message] of failed) {
      expect(message).toMatch(/ECONNREFUSED|ECONNRESET/);
      expect(accepted.has(id)).toBe(false);
    }
  });
});
