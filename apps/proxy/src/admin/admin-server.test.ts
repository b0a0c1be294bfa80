import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createAdminServer, localAdminSource } from './admin-server.ts';
import { listen } from '../http/index.ts';
import { ProxyMetrics } from '../observability/index.ts';
import { FakeKeyVerifier } from '../testing/fake-key-verifier.ts';
import { FakeLimiter } from '../testing/fake-limiter.ts';

type Ready = { data: Record<string, unknown> };

let close: (() => Promise<unknown>) | undefined;
afterEach(async () => close?.());

async function start() {
  const registry = new Registry();
  const verifier = new FakeKeyVerifier();
  const limiter = new FakeLimiter();
  const metrics = new ProxyMetrics({ registry });
  const server = createAdminServer(localAdminSource({ registry, verifier, limiter }));
  await listen(server, 0, '127.0.0.1');
  close = () => new Promise((resolve) => server.close(resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, verifier, limiter, metrics };
}

describe('admin server', () => {
  it('answers /healthz', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"success":true,"data":{"status":"ok"}}');
  });

  it('is ready when the keystore is reachable, with the limiter mode', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as Ready;
    expect(data).toMatchObject({ status: 'ready', limiter: 'memory' });
    expect(data.degraded).toBeUndefined();
  });

  it('is ready but degraded while the limiter runs on its fallback', async () => {
    const { url, limiter } = await start();
    limiter.currentMode = 'fallback';
    const { data } = (await (await fetch(`${url}/readyz`)).json()) as Ready;
    expect(data).toMatchObject({ limiter: 'fallback', degraded: true });
  });

  it('stays ready on a warm cache while the keystore is down, and is not ready on a cold one', async () => {
    const { url, verifier } = await start();
    verifier.healthState = { keystoreReachable: false, eventsConnected: false, cachedKeys: 3 };
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    verifier.healthState = { keystoreReachable: false, eventsConnected: false, cachedKeys: 0 };
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ success: false, statusCode: 503, code: 'SERVICE_UNAVAILABLE' });
  });

  it('exposes the proxy metrics, labelled by outcome only', async () => {
    const { url, metrics } = await start();
    metrics.request('ok', 0.002);
    metrics.request('INVALID_API_KEY', 0.001);
    metrics.upstream(0.001);
    const res = await fetch(`${url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('routemcp_proxy_requests_total{outcome="ok"} 1');
    expect(text).toContain('routemcp_proxy_requests_total{outcome="INVALID_API_KEY"} 1');
    expect(text).toContain('routemcp_proxy_request_duration_seconds_count 2');
    expect(text).toContain('routemcp_proxy_upstream_duration_seconds_count 1');
  });

  it('answers unknown paths with the 404 envelope', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND' });
  });
});
