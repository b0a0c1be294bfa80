import { docker } from '@routemcp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, request, type HttpResponse } from './http-client.ts';
import { startStack, type Stack } from './stack.ts';
import { countBy, sendTraffic } from './traffic.ts';

let stack: Stack;
let key: string;

beforeAll(async () => {
  stack = await startStack();
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
    const quick = sendTraffic(`${stack.podUrl}/api/v1/contacts?provider=hubspot`, key, 300, 4);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await docker('stop', '--time', '15', stack.proxy.getId());

    const slowResults = await Promise.allSettled(slow);
    expect(slowResults.map((r) => (r.status === 'fulfilled' ? r.value.status : String(r.reason)))).toEqual([
      200, 200, 200,
    ]);
    const { statuses, errors } = await quick;
    expect(countBy(statuses)).toEqual({ 200: statuses.length });
    // After the drain the port is closed: refused, never accepted and dropped.
    expect(errors.filter((message) => !message.includes('ECONNREFUSED'))).toEqual([]);
    expect(statuses.length).toBeGreaterThan(0);
  });
});
