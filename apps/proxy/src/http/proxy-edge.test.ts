import { request } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { makeTestKey } from '@routemcp/api-key/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sendRequest } from '../testing/http-request.ts';
import { startProxy, type ProxyHarness } from '../testing/proxy-harness.ts';
import { startRecordingUpstream, type RecordingUpstream } from '../testing/recording-upstream.ts';

const key = makeTestKey('live');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(
  options: { env?: Record<string, string>; upstream?: RecordingUpstream; upstreamUrl?: string } = {},
) {
  const upstream = options.upstream ?? (await startRecordingUpstream());
  cleanups.push(() => upstream.close());
  const proxy = await startProxy({ upstreamUrl: options.upstreamUrl ?? upstream.url, env: options.env });
  cleanups.push(() => proxy.close());
  proxy.verifier.add(key.key, { environment: 'live' });
  return { upstream, proxy };
}

const authorization = `Bearer ${key.key}`;

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Writes raw bytes and collects everything until the proxy closes the socket. */
function rawExchange(proxy: ProxyHarness, data: string): Promise<string> {
  const { port } = new URL(proxy.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(data));
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}

describe('upstream failures', () => {
  it('answers 502 UPSTREAM_UNAVAILABLE when the upstream refuses connections', async () => {
    const { proxy } = await setup({ upstreamUrl: `http://127.0.0.1:${await closedPort()}` });
    const res = await sendRequest(`${proxy.url}/api/v1/contacts`, { headers: { authorization } });
    expect(res.status).toBe(502);
    expect(res.body).toBe(
      '{"success":false,"statusCode":502,"message":"Upstream service unavailable","code":"UPSTREAM_UNAVAILABLE"}',
    );
  });

  it('answers 504 UPSTREAM_TIMEOUT when the upstream never answers', async () => {
    const hanging = await startRecordingUpstream({ handler: () => {} });
    const { proxy } = await setup({ upstream: hanging, env: { UPSTREAM_TIMEOUT_MS: '100' } });
    const res = await sendRequest(`${proxy.url}/api/v1/contacts`, { headers: { authorization } });
    expect(res.status).toBe(504);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'UPSTREAM_TIMEOUT', statusCode: 504 });
  });

  // GET goes through the undici Pool, a streamed POST through http-proxy-3: both must cancel.
  it.each([
    ['a body-less GET', 'GET'],
    ['a POST whose body is still streaming', 'POST'],
  ])('closes the upstream request when the client aborts %s', async (_what, method) => {
    const hanging = await startRecordingUpstream({ handler: () => {} });
    const { proxy } = await setup({ upstream: hanging });
    const client = request(`${proxy.url}/api/v1/contacts`, { method, headers: { authorization }, agent: false });
    client.on('error', () => {});
    if (method === 'GET') client.end();
    else client.write('{"partial":');
    await vi.waitFor(() => expect(hanging.openSockets()).toBe(1), { timeout: 2_000, interval: 10 });
    client.destroy();
    await vi.waitFor(() => expect(hanging.openSockets()).toBe(0), { timeout: 2_000, interval: 10 });
    await vi.waitFor(() => expect(proxy.logs.at(-1)).toContain('"outcome":"CLIENT_CLOSED"'), {
      timeout: 2_000,
      interval: 10,
    });
  });
});

describe('client aborts during the key lookup', () => {
  it('never contacts the upstream and records the abort', async () => {
    const { proxy, upstream } = await setup();
    let open!: () => void;
    proxy.verifier.gate = new Promise<void>((resolve) => (open = resolve));
    const client = request(`${proxy.url}/api/v1/contacts`, { headers: { authorization }, agent: false });
    client.on('error', () => {});
    client.end();
    await vi.waitFor(() => expect(proxy.verifier.lookups.length).toBe(1), { timeout: 2_000, interval: 10 });
    client.destroy();
    await vi.waitFor(() => expect(proxy.logs.at(-1)).toContain('"outcome":"CLIENT_CLOSED"'), {
      timeout: 2_000,
      interval: 10,
    });
    open();
    // The server is still healthy afterwards.
    proxy.verifier.gate = null;
    expect((await sendRequest(`${proxy.url}/api/v1/contacts`, { headers: { authorization } })).status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    expect(proxy.limiter.calls).toHaveLength(1);
  });
});

describe('edge hygiene', () => {
  it('answers 413 from Content-Length before any upstream connection', async () => {
    const { proxy, upstream } = await setup({ env: { MAX_BODY_BYTES: '1000' } });
    const res = await sendRequest(`${proxy.url}/api/v1/contacts`, {
      method: 'POST',
      headers: { authorization, 'content-length': '1001' },
      body: 'x'.repeat(1001),
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(upstream.connections()).toBe(0);
  });

  it('answers 413 when a chunked body passes the limit while streaming', async () => {
    const { proxy } = await setup({ env: { MAX_BODY_BYTES: '1000' } });
    const res = await sendRequest(`${proxy.url}/api/v1/contacts`, {
      method: 'POST',
      headers: { authorization, 'transfer-encoding': 'chunked' },
      body: 'x'.repeat(5000),
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('answers 431 in the envelope for an oversized header block', async () => {
    const { proxy } = await setup({ env: { MAX_HEADER_BYTES: '4096' } });
    const raw = await rawExchange(proxy, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`);
    expect(raw).toMatch(/^HTTP\/1\.1 431 /);
    expect(
      raw.endsWith(
        '{"success":false,"statusCode":431,"message":"Request header fields too large","code":"HEADERS_TOO_LARGE"}',
      ),
    ).toBe(true);
  });

  it('answers 400 in the envelope for a request the strict parser refuses', async () => {
    const { proxy } = await setup();
    const raw = await rawExchange(proxy, 'GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toContain('"code":"BAD_REQUEST"');
  });

  it.each([
    ['a bad key gets 401 and no 100 Continue', 'Bearer sk_live_wrong', 401, false],
    ['a good key gets 100 Continue, then the upstream answer', authorization, 200, true],
  ])('Expect: 100-continue: %s', async (_name, auth, status, continued) => {
    const { proxy, upstream } = await setup();
    const result = await new Promise<{ status: number; continued: boolean }>((resolve, reject) => {
      let sawContinue = false;
      const body = '{"a":1}';
      const req = request(`${proxy.url}/api/v1/contacts`, {
        method: 'POST',
        agent: false,
        headers: { authorization: auth, expect: '100-continue', 'content-length': Buffer.byteLength(body) },
      });
      req.on('continue', () => {
        sawContinue = true;
        req.end(body);
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, continued: sawContinue }));
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(result).toEqual({ status, continued });
    if (continued) {
      expect(upstream.requests.at(-1)).toMatchObject({ body: '{"a":1}' });
      expect(upstream.requests.at(-1)!.headers.expect).toBeUndefined();
    } else {
      expect(upstream.connections()).toBe(0);
    }
  });
});
