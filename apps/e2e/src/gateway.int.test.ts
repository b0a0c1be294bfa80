import { request } from 'node:http';
import { makeTestKey } from '@routemcp/api-key/testing';
import { startRedis, type StartedRedis } from '@routemcp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './stack.ts';

const INVALID_KEY_BODY =
  '{"success":false,"statusCode":401,"message":"Invalid or missing API key","code":"INVALID_API_KEY"}';

let redis: StartedRedis;
let stack: Stack;
const issuedKeys: string[] = [];

async function createKey(body: Record<string, unknown>): Promise<{ id: string; key: string; accountId: string }> {
  const { status, json } = await stack.manage('POST', '/v1/keys', body);
  expect(status).toBe(201);
  issuedKeys.push(json.data.key);
  return json.data;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
async function json(res: Response): Promise<any> {
  return res.json();
}

function call(path: string, key?: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (key !== undefined) headers.set('authorization', `Bearer ${key}`);
  return fetch(`${stack.proxyUrl}${path}`, { ...init, headers });
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = await probe();
  }
  return value;
}

beforeAll(async () => {
  redis = await startRedis();
  stack = await startStack({ redisUrl: redis.url });
});

afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
  await redis?.[Symbol.asyncDispose]();
});

describe('the RouteMCP docs examples, through the proxy', () => {
  it('curl /api/v1/contact?provider=hubspot with a live key → 200 with contacts', async () => {
    const { key } = await createKey({ environment: 'live' });
    const res = await call('/api/v1/contact?provider=hubspot', key);
    expect(res.status).toBe(200);
    const { success, data } = await json(res);
    expect(success).toBe(true);
    expect(Array.isArray(data)).toBe(true);
    expect(data.length).toBeGreaterThan(0);
  });

  it('python requests /api/v1/contacts with params → response.json()["data"]', async () => {
    const { key } = await createKey({ environment: 'live' });
    const url = new URL('/api/v1/contacts', stack.proxyUrl);
    url.search = new URLSearchParams({ provider: 'hubspot' }).toString();
    const res = await fetch(url, { headers: { Authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    expect((await json(res)).data.length).toBeGreaterThan(0);
  });

  it('a test key gets sandbox data, different from live data', async () => {
    const live = await createKey({ environment: 'live' });
    const test = await createKey({ environment: 'test' });
    const liveData = (await json(await call('/api/v1/contacts?provider=hubspot', live.key))).data;
    const testData = (await json(await call('/api/v1/contacts?provider=hubspot', test.key))).data;
    expect(testData.length).toBeGreaterThan(0);
    expect(testData).not.toEqual(liveData);
  });
});

describe('401 INVALID_API_KEY, byte for byte', () => {
  it.each([
    ['no Authorization header', undefined],
    ['a malformed key', 'sk_live_not-a-real-key'],
    ['a key with a wrong checksum', 'sk_test_' + 'a'.repeat(38)],
  ])('%s', async (_name, key) => {
    const res = await call('/api/v1/contact?provider=hubspot', key);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.text()).toBe(INVALID_KEY_BODY);
  });

  it('an unknown well-formed key', async () => {
    const res = await call('/api/v1/contact?provider=hubspot', makeTestKey('live').key);
    expect(res.status).toBe(401);
    expect(await res.text()).toBe(INVALID_KEY_BODY);
  });

  it('a revoked key', async () => {
    const { id, key } = await createKey({ environment: 'test' });
    expect((await call('/api/v1/contacts?provider=hubspot', key)).status).toBe(200);
    const revoked = await stack.manage('POST', `/v1/keys/${id}/revoke`);
    expect(revoked.status).toBe(200);
    const res = await until(
      () => call('/api/v1/contacts?provider=hubspot', key),
      (r) => r.status === 401,
    );
    expect(res.status).toBe(401);
    expect(await res.text()).toBe(INVALID_KEY_BODY);
  });
});

describe('rate limiting', () => {
  it('a burst beyond the bucket → 429 RATE_LIMITED with Retry-After and RateLimit headers', async () => {
    const { key } = await createKey({ environment: 'live', rateLimit: { capacity: 3, refillPerSecond: 0.01 } });
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await call('/api/v1/contacts?provider=hubspot', key);
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
      else await res.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(limited!.headers.get('ratelimit-limit')).toBe('3');
    expect(limited!.headers.get('ratelimit-remaining')).toBe('0');
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await json(limited!)).toEqual({
      success: false,
      statusCode: 429,
      message: 'Too many requests',
      code: 'RATE_LIMITED',
    });
  });

  it('every proxied response carries RateLimit headers', async () => {
    const { key } = await createKey({ environment: 'test', rateLimit: { capacity: 10, refillPerSecond: 1 } });
    const res = await call('/api/v1/contacts?provider=hubspot', key);
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-limit')).toBe('10');
    expect(res.headers.get('ratelimit-remaining')).toBe('9');
    expect(Number(res.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1);
  });

  it('the bucket lives in Redis: two proxies share it', async () => {
    const second = await stack.startProxy();
    const { key } = await createKey({ environment: 'live', rateLimit: { capacity: 4, refillPerSecond: 0.01 } });
    const statuses: number[] = [];
    for (const url of [stack.proxyUrl, second.url, stack.proxyUrl, second.url, second.url]) {
      const res = await fetch(`${url}/api/v1/contacts?provider=hubspot`, {
        headers: { authorization: `Bearer ${key}` },
      });
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    const ready = await json(await fetch(`${second.adminUrl}/readyz`));
    expect(ready.data.limiter).toBe('redis');
    await second.app.stop();
  });
});

describe('forwarding', () => {
  it('the upstream never sees Authorization and gets the key identity', async () => {
    const { id, key, accountId } = await createKey({ environment: 'test' });
    const res = await call('/api/v1/echo', key, {
      method: 'POST',
      headers: { 'x-routemcp-key-id': 'spoofed', 'content-type': 'application/json' },
      body: '{"hello":"world"}',
    });
    expect(res.status).toBe(200);
    const { data } = await json(res);
    const headers = data.headers as Record<string, string>;
    expect(headers.authorization).toBeUndefined();
    expect(headers['x-routemcp-key-id']).toBe(id);
    expect(headers['x-routemcp-account-id']).toBe(accountId);
    expect(headers['x-routemcp-environment']).toBe('test');
    expect(headers['x-request-id']).toBeTruthy();
    expect(JSON.stringify(data)).not.toContain(key);
  });
});

describe('usage', () => {
  it('proxies report per-key usage to the keystore in batches: last used, requests and 429s', async () => {
    const proxy = await stack.startProxy({ USAGE_FLUSH_INTERVAL_MS: '200' });
    const { id, key } = await createKey({ environment: 'live', rateLimit: { capacity: 2, refillPerSecond: 0.01 } });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${proxy.url}/api/v1/contacts?provider=hubspot`, {
        headers: { authorization: `Bearer ${key}` },
      });
      await res.arrayBuffer();
    }
    const shown = await until(
      () => stack.manage('GET', `/v1/keys/${id}`),
      (r) => r.json.data.lastUsedAt !== null,
    );
    expect(Date.parse(shown.json.data.lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
    await proxy.app.stop();
  });

  it("a WebSocket upgrade with a valid key shows in the key's usage like a request does", async () => {
    const proxy = await stack.startProxy({ USAGE_FLUSH_INTERVAL_MS: '200' });
    const { id, key } = await createKey({ environment: 'live' });
    const { hostname, port } = new URL(proxy.url);
    // The example api speaks no WebSocket: the proxy relays its plain answer, and the upgrade still counts.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({
        host: hostname,
        port: Number(port),
        path: '/api/v1/contacts?provider=hubspot',
        agent: false,
        headers: {
          authorization: `Bearer ${key}`,
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      });
      req.on('upgrade', (res, socket) => (socket.destroy(), resolve(res.statusCode ?? 0)));
      req.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0)));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBeGreaterThan(0);
    const shown = await until(
      () => stack.manage('GET', `/v1/keys/${id}`),
      (r) => r.json.data.lastUsedAt !== null,
    );
    expect(Date.parse(shown.json.data.lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
    await proxy.app.stop();
  });
});

describe('secrets', () => {
  it('no issued key appears in any log line of the three apps', () => {
    expect(issuedKeys.length).toBeGreaterThan(5);
    const logs = stack.logs();
    for (const key of issuedKeys) expect(logs.includes(key), 'a full key was logged').toBe(false);
  });
});
