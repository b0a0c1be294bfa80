import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { errorBody, errorCatalog } from '@routemcp/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleSum, scrape } from './admin-metrics.ts';
import { freePort } from '@routemcp/testing/free-port';
import { startHttpFixture, type HttpFixture } from './http-fixture.ts';
import { issueKey, ROOMY, type IssuedKey } from './issue-key.ts';
import { expectNoKeyLeaked } from './leaks.ts';
import { rawRequest } from './raw-request.ts';
import { startStack, type Stack } from './stack.ts';
import { until } from './traffic.ts';

let stack: Stack;
/** Answers everything at once, except `/slow…`, which it never answers. */
let recorder: HttpFixture;
let sandbox: HttpFixture;
/** Running proxies' admin ports (stopped ones are covered by their logs). */
const adminUrls: string[] = [];
/** UPSTREAM_URL = recorder, UPSTREAM_TEST_URL = sandbox, public /healthz and /docs/public. */
let proxy: { url: string; adminUrl: string };
let live: IssuedKey;
let test: IssuedKey;
const issued: string[] = [];

const ok = (name: string) => (req: IncomingMessage, res: ServerResponse) => {
  if (req.url?.startsWith('/slow')) return;
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ success: true, data: { upstream: name } }));
};

beforeAll(async () => {
  recorder = await startHttpFixture(ok('recorder'));
  sandbox = await startHttpFixture(ok('sandbox'));
  stack = await startStack();
  adminUrls.push(stack.adminUrl);
  proxy = await stack.startProxy({
    UPSTREAM_URL: recorder.url,
    UPSTREAM_TEST_URL: sandbox.url,
    PUBLIC_PATHS: '/healthz,/docs/public',
  });
  adminUrls.push(proxy.adminUrl);
  live = await issueKey(stack, issued, { environment: 'live', rateLimit: ROOMY });
  test = await issueKey(stack, issued, { environment: 'test', rateLimit: ROOMY });
});

afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
  await recorder?.[Symbol.asyncDispose]();
  await sandbox?.[Symbol.asyncDispose]();
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('UPSTREAM_TEST_URL', () => {
  it('test keys reach the sandbox upstream, live keys the main one, each with its identity and without the key', async () => {
    const [sandboxBefore, recorderBefore] = [sandbox.requests.length, recorder.requests.length];
    const fromTest = await rawRequest(proxy.url, '/api/v1/contacts?provider=hubspot', bearer(test.key));
    const fromLive = await rawRequest(proxy.url, '/api/v1/contacts?provider=hubspot', bearer(live.key));
    expect(JSON.parse(fromTest.body)).toEqual({ success: true, data: { upstream: 'sandbox' } });
    expect(JSON.parse(fromLive.body)).toEqual({ success: true, data: { upstream: 'recorder' } });
    const toSandbox = sandbox.requests.slice(sandboxBefore);
    const toRecorder = recorder.requests.slice(recorderBefore);
    expect(toSandbox).toHaveLength(1);
    expect(toRecorder).toHaveLength(1);
    expect(toSandbox[0]!.headers).toMatchObject({ 'x-routemcp-key-id': test.id, 'x-routemcp-environment': 'test' });
    expect(toRecorder[0]!.headers).toMatchObject({ 'x-routemcp-key-id': live.id, 'x-routemcp-environment': 'live' });
    for (const seen of [...toSandbox, ...toRecorder]) expect(seen.headers.authorization).toBeUndefined();
  });
});

describe('PUBLIC_PATHS', () => {
  it("the upstream's own health page needs no key, and carries no identity", async () => {
    const before = recorder.requests.length;
    for (const target of ['/healthz', '/healthz?probe=1', '/docs/public']) {
      const res = await rawRequest(proxy.url, target);
      expect(res.status, target).toBe(200);
    }
    const seen = recorder.requests.slice(before);
    expect(seen.map((r) => r.url)).toEqual(['/healthz', '/healthz?probe=1', '/docs/public']);
    for (const r of seen) expect(Object.keys(r.headers).filter((h) => h.startsWith('x-routemcp-'))).toEqual([]);
  });

  it('the real api behind the real proxy: /healthz public, /api still needs a key', async () => {
    const apiProxy = await stack.startProxy({ PUBLIC_PATHS: '/healthz' });
    const health = await rawRequest(apiProxy.url, '/healthz');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ success: true, data: { status: 'ok' } });
    const contacts = await rawRequest(apiProxy.url, '/api/v1/contacts?provider=hubspot');
    expect(`${contacts.status} ${contacts.body}`).toBe(`401 ${errorBody('INVALID_API_KEY')}`);
    await apiProxy.app.stop();
  });

  it.each([
    ['/healthz/../api/v1/contacts', 'INVALID_API_KEY'],
    ['/docs/public/../../api/v1/contacts', 'INVALID_API_KEY'],
    ['/HEALTHZ', 'INVALID_API_KEY'],
    ['/healthz.json', 'INVALID_API_KEY'],
    ['/healthzz', 'INVALID_API_KEY'],
    // No safe canonical form (docs/security.md): refused before a key is asked for.
    ['/healthz/%2e%2e/api/v1/contacts', 'BAD_REQUEST'],
    ['/healthz/.%2E/api/v1/contacts', 'BAD_REQUEST'],
    ['/healthz%2f..%2fapi/v1/contacts', 'BAD_REQUEST'],
    ['/healthz/..%2Fapi/v1/contacts', 'BAD_REQUEST'],
    ['//healthz/../api/v1/contacts', 'BAD_REQUEST'],
    ['/%2e%2e/healthz', 'BAD_REQUEST'],
    ['/healthz%2F', 'BAD_REQUEST'],
  ] as const)('%s without a key → %s, nothing forwarded', async (target, code) => {
    const before = recorder.requests.length;
    const res = await rawRequest(proxy.url, target);
    expect(`${res.status} ${res.body}`).toBe(`${errorCatalog[code].statusCode} ${errorBody(code)}`);
    expect(recorder.requests.length).toBe(before);
  });
});

describe('upstream failures', () => {
  it('a client that disconnects cancels its upstream request (open upstream sockets back to 0)', async () => {
    const before = recorder.requests.length;
    const clientClosedBefore = sampleSum(await scrape(proxy.adminUrl), 'routemcp_proxy_requests_total', {
      outcome: 'CLIENT_CLOSED',
    });
    const clients: ClientRequest[] = [];
    const answers = Array.from({ length: 10 }, (_, i) =>
      rawRequest(proxy.url, `/slow/${i}`, bearer(live.key), (req) => clients.push(req)).catch((error: Error) => error),
    );
    const arrived = await until(
      async () => recorder.requests.length - before,
      (n) => n === 10,
      { timeoutMs: 10_000 },
    );
    expect(arrived).toBe(10);
    expect(recorder.inFlight()).toBe(10);
    for (const req of clients) req.destroy();
    for (const answer of await Promise.all(answers)) expect(answer).toBeInstanceOf(Error);
    // Well inside the 30 s UPSTREAM_TIMEOUT_MS default: only the abort can have closed them.
    const since = performance.now();
    const pending = await until(
      async () => recorder.inFlight(),
      (n) => n === 0,
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    expect(pending).toBe(0);
    console.info(`client abort: upstream requests closed within ${(performance.now() - since).toFixed(0)} ms`);
    const clientClosed = await until(
      async () =>
        sampleSum(await scrape(proxy.adminUrl), 'routemcp_proxy_requests_total', { outcome: 'CLIENT_CLOSED' }),
      (n) => n >= clientClosedBefore + 10,
    );
    expect(clientClosed - clientClosedBefore).toBe(10);
  });

  it('an upstream that refuses connections → 502 UPSTREAM_UNAVAILABLE', async () => {
    const closed = await freePort();
    const p = await stack.startProxy({ UPSTREAM_URL: `http://127.0.0.1:${closed}` });
    const res = await rawRequest(p.url, '/api/v1/contacts', bearer(live.key));
    expect(`${res.status} ${res.body}`).toBe(`502 ${errorBody('UPSTREAM_UNAVAILABLE')}`);
    await p.app.stop();
  });

  it('an upstream that never answers → 504 UPSTREAM_TIMEOUT after UPSTREAM_TIMEOUT_MS, and its socket is closed', async () => {
    const p = await stack.startProxy({ UPSTREAM_URL: recorder.url, UPSTREAM_TIMEOUT_MS: '300' });
    const started = performance.now();
    const res = await rawRequest(p.url, '/slow/timeout', bearer(live.key));
    const ms = performance.now() - started;
    expect(`${res.status} ${res.body}`).toBe(`504 ${errorBody('UPSTREAM_TIMEOUT')}`);
    expect(ms).toBeGreaterThanOrEqual(300);
    // Liveness bound (the default timeout is 30 s).
    expect(ms).toBeLessThan(5000);
    expect(
      await until(
        async () => recorder.inFlight(),
        (n) => n === 0,
        { timeoutMs: 10_000, intervalMs: 20 },
      ),
    ).toBe(0);
    await p.app.stop();
  });
});

describe('secrets', () => {
  it('no issued key in any log or /metrics', async () => {
    await expectNoKeyLeaked(stack, issued, adminUrls);
  });
});
