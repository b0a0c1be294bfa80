import { errorBody } from '@routemcp/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleSum, scrape } from './admin-metrics.ts';
import { startApp } from './app-process.ts';
import { freePort } from '@routemcp/testing/free-port';
import { startHttpFixture, type HttpFixture } from './http-fixture.ts';
import { issueKey, ROOMY, type IssuedKey } from './issue-key.ts';
import { expectNoKeyLeaked } from './leaks.ts';
import { rawRequest, type RawAnswer } from './raw-request.ts';
import { startStack, type Stack } from './stack.ts';
import { statusOf, until } from './traffic.ts';

const PATH = '/api/v1/contacts?provider=hubspot';

let stack: Stack;
/** Answers every request after 1.5 s. */
let slow: HttpFixture;
let live: IssuedKey;
const issued: string[] = [];

beforeAll(async () => {
  slow = await startHttpFixture((_req, res) => {
    setTimeout(
      () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true,"data":"slow"}'),
      1500,
    );
  });
  stack = await startStack();
  live = await issueKey(stack, issued, { environment: 'live', rateLimit: ROOMY });
});

afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
  await slow?.[Symbol.asyncDispose]();
});

describe('admin port', () => {
  it('/healthz, /readyz and /metrics answer there, and not on the public port', async () => {
    expect(await statusOf(stack.proxyUrl, PATH, live.key)).toBe(200);
    const health = await fetch(`${stack.adminUrl}/healthz`);
    expect(await health.json()).toEqual({ success: true, data: { status: 'ok' } });
    const ready = await fetch(`${stack.adminUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      success: true,
      data: { status: 'ready', keystore: 'reachable', events: 'connected', limiter: 'memory' },
    });
    const metrics = await fetch(`${stack.adminUrl}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await metrics.text();
    expect(sampleSum(text, 'routemcp_proxy_requests_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    for (const series of [
      'routemcp_proxy_cache_lookups_total',
      'routemcp_proxy_keystore_requests_total',
      'routemcp_proxy_keystore_duration_seconds_bucket',
      'routemcp_proxy_ratelimit_decisions_total',
      'routemcp_proxy_ratelimit_degraded',
      'routemcp_proxy_upstream_duration_seconds_bucket',
      'routemcp_proxy_event_stream_connected',
    ]) {
      expect(text, series).toMatch(new RegExp(`^${series}[{ ]`, 'm'));
    }
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const res = await rawRequest(stack.proxyUrl, path);
      expect(`${res.status} ${res.body}`, path).toBe(`401 ${errorBody('INVALID_API_KEY')}`);
    }
  });

  it('/readyz is 503 while the keystore is unreachable and nothing is cached', async () => {
    const p = await stack.startProxy({ KEYSTORE_URL: `http://127.0.0.1:${await freePort()}` });
    const res = await fetch(`${p.adminUrl}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ success: false, statusCode: 503, code: 'SERVICE_UNAVAILABLE' });
    await p.app.stop();
  });
});

describe('SIGTERM', () => {
  it('lets every accepted request finish, takes no new connection, and exits 0 within the grace period', async () => {
    const p = await stack.startProxy({ UPSTREAM_URL: slow.url, SHUTDOWN_GRACE_MS: '8000' });
    const before = slow.requests.length;
    const inFlight = Array.from({ length: 10 }, (_, i) =>
      rawRequest(p.url, `/slow/${i}`, { authorization: `Bearer ${live.key}` }),
    );
    const arrived = await until(
      async () => slow.requests.length - before,
      (n) => n === 10,
      { timeoutMs: 10_000 },
    );
    expect(arrived).toBe(10);

    const signalled = performance.now();
    p.app.child.kill('SIGTERM');
    // Keyless probes are answered (401) without the upstream while the listener is open, refused after.
    const refused = await until(
      () => rawRequest(p.url, '/late').catch((error: NodeJS.ErrnoException) => error),
      (answer) => answer instanceof Error,
      { timeoutMs: 3000, intervalMs: 20 },
    );
    expect(refused).toBeInstanceOf(Error);
    expect(['ECONNREFUSED', 'ECONNRESET']).toContain((refused as NodeJS.ErrnoException).code);

    const answers: RawAnswer[] = await Promise.all(inFlight);
    expect(answers.map((a) => `${a.status} ${a.body}`)).toEqual(Array(10).fill('200 {"success":true,"data":"slow"}'));
    const exit = await p.app.exited;
    const ms = performance.now() - signalled;
    console.info(`SIGTERM with 10 slow requests in flight: exited ${exit.code} after ${ms.toFixed(0)} ms`);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(ms).toBeLessThan(8000);
    expect(p.app.output()).toMatch(/"msg":"stopped"/);
  });
  it('loses no access-log line from the buffered log on a clean stop', async () => {
    const p = await stack.startProxy({ LOG_LEVEL: 'info' });
    const ids = Array.from({ length: 300 }, (_, i) => `flush-check-${i}`);
    for (let i = 0; i < ids.length; i += 50) {
      const batch = ids
        .slice(i, i + 50)
        .map((id) => rawRequest(p.url, PATH, { authorization: `Bearer ${live.key}`, 'x-request-id': id }));
      for (const answer of await Promise.all(batch)) expect(answer.status).toBe(200);
    }
    // At once: the last lines are still in the log's buffer (it writes every 4 KiB or 200 ms).
    p.app.child.kill('SIGTERM');
    expect(await p.app.exited).toEqual({ code: 0, signal: null });
    const logged = new Set(
      p.app
        .output()
        .split('\n')
        .filter((line) => line.includes('"msg":"request"'))
        .map((line) => (JSON.parse(line) as { reqId: string }).reqId),
    );
    expect(ids.filter((id) => !logged.has(id))).toEqual([]);
  });
});

describe('configuration errors', () => {
  const base = async () => ({
    PROXY_PORT: String(await freePort()),
    PROXY_ADMIN_PORT: String(await freePort()),
    PROXY_HOST: '127.0.0.1',
    KEYSTORE_URL: stack.keystoreUrl,
    KEYSTORE_SERVICE_TOKEN: stack.serviceToken,
  });

  it.each<[string, Record<string, string | undefined>]>([
    ['PROXY_PORT', { PROXY_PORT: 'eighty' }],
    ['PROXY_PORT', { PROXY_PORT: '70000' }],
    ['KEYSTORE_SERVICE_TOKEN', { KEYSTORE_SERVICE_TOKEN: undefined }],
    ['UPSTREAM_URL', { UPSTREAM_URL: 'ftp://example.invalid' }],
    ['REDIS_URL', { REDIS_URL: 'http://127.0.0.1:6379' }],
  ])('%s %j → exits non-zero naming the variable', async (name, override) => {
    const env = Object.fromEntries(
      Object.entries({ ...(await base()), ...override }).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      ),
    );
    const app = startApp('proxy', 'apps/proxy/src/main.ts', env);
    const timer = setTimeout(() => app.child.kill('SIGKILL'), 15_000);
    const exit = await app.exited;
    clearTimeout(timer);
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(app.output()).toContain(name);
    expect(app.output()).not.toContain(stack.serviceToken);
  });
});

describe('logs and metrics', () => {
  it('one JSON access line per request with request id and key id, and no issued key anywhere', async () => {
    const res = await rawRequest(stack.proxyUrl, PATH, {
      authorization: `Bearer ${live.key}`,
      'x-request-id': 'ops-test-req-1',
    });
    expect(res.status).toBe(200);
    const line = await until(
      async () =>
        stack.apps.proxy
          .output()
          .split('\n')
          .find((l) => l.includes('"reqId":"ops-test-req-1"')),
      (found) => found !== undefined,
    );
    expect(JSON.parse(line!)).toMatchObject({
      msg: 'request',
      reqId: 'ops-test-req-1',
      keyId: live.id,
      status: 200,
      outcome: 'ok',
    });
    await expectNoKeyLeaked(stack, issued, [stack.adminUrl]);
    expect(await scrape(stack.adminUrl)).not.toContain(live.key.slice(8));
  });
});
