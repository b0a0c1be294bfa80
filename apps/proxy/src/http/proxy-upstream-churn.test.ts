import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeTestKey } from '@routemcp/api-key/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sendRequest } from '../testing/http-request.ts';
import { startProxy, type ProxyHarness } from '../testing/proxy-harness.ts';
import { startRecordingUpstream, type RecordingUpstream } from '../testing/recording-upstream.ts';

const key = makeTestKey('live');
const authorization = `Bearer ${key.key}`;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

async function listening(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function proxyTo(upstreamUrl: string, env: Record<string, string> = {}): Promise<ProxyHarness> {
  const proxy = await startProxy({ upstreamUrl, env });
  cleanups.push(() => proxy.close());
  proxy.verifier.add(key.key, { environment: 'live', rateLimit: { capacity: 1_000_000, refillPerSecond: 1_000_000 } });
  return proxy;
}

/** `total` requests, `parallel` at a time, each on a fresh connection; returns the status counts. */
async function hammer(url: string, total: number, parallel: number): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      const res = await sendRequest(`${url}/api/v1/contacts`, { headers: { authorization } });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return statuses;
}

describe('10 000 upstream failures leave nothing behind', () => {
  it(
    'refused, reset, hanging and slow upstreams: every answer in the envelope, no leaked sockets',
    { timeout: 180_000 },
    async () => {
      const closed = createServer();
      const refusedUrl = await listening(closed);
      await new Promise((resolve) => closed.close(resolve));
      const resetting = await startRecordingUpstream({ handler: (req) => req.socket.destroy() });
      const hanging = await startRecordingUpstream({ handler: () => {} });
      const slow = await startRecordingUpstream({
        handler: (_req, res) => void setTimeout(() => res.end('{"success":true,"data":[]}'), 5),
      });
      cleanups.push(...[resetting, hanging, slow].map((upstream: RecordingUpstream) => () => upstream.close()));
      const proxies = {
        refused: await proxyTo(refusedUrl),
        reset: await proxyTo(resetting.url),
        hanging: await proxyTo(hanging.url, { UPSTREAM_TIMEOUT_MS: '50' }),
        slow: await proxyTo(slow.url),
      };
      await hammer(proxies.slow.url, 10, 5);
      const baseline = openFds();

      const results = {
        refused: await hammer(proxies.refused.url, 4000, 50),
        reset: await hammer(proxies.reset.url, 3500, 50),
        hanging: await hammer(proxies.hanging.url, 500, 50),
        slow: await hammer(proxies.slow.url, 2000, 50),
      };
      expect([...results.refused]).toEqual([[502, 4000]]);
      expect([...results.reset]).toEqual([[502, 3500]]);
      expect([...results.hanging]).toEqual([[504, 500]]);
      expect([...results.slow]).toEqual([[200, 2000]]);

      // Upstream connections the proxy opened are all gone (a hanging one is closed at its timeout),
      // and the process holds no more descriptors than before the 10 000 requests.
      await vi.waitFor(() => expect(resetting.openSockets() + hanging.openSockets()).toBe(0), { timeout: 10_000 });
      await vi.waitFor(() => expect(openFds()).toBeLessThanOrEqual(baseline + 60), { timeout: 10_000 });
    },
  );
});
