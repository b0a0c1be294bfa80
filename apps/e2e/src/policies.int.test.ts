import { startRedis, type StartedRedis } from '@routemcp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './raw-request.ts';
import { startStack, type Stack } from './stack.ts';

/**
 * Key policies end to end (issue 15): each field set through the keystore's
 * management API, enforced by a real proxy on Redis, in front of the real
 * api; and a policy change reaching the proxy through the change events.
 */
let redis: StartedRedis;
let stack: Stack;
const PATH = '/api/v1/contacts?provider=hubspot';
const FORBIDDEN =
  '{"success":false,"statusCode":403,"message":"This API key is not allowed to call this endpoint","code":"FORBIDDEN"}';

beforeAll(async () => {
  redis = await startRedis();
  stack = await startStack({ redisUrl: redis.url, proxyEnv: { USAGE_FLUSH_INTERVAL_MS: '200' } });
}, 120_000);

afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
  await redis?.[Symbol.asyncDispose]();
});

async function createKey(body: Record<string, unknown>): Promise<{ id: string; key: string }> {
  const { status, json } = await stack.manage('POST', '/v1/keys', { environment: 'live', ...body });
  expect(status, JSON.stringify(json)).toBe(201);
  return json.data;
}

const get = (key: string, path = PATH, headers: Record<string, string> = {}) =>
  rawRequest(stack.proxyUrl, path, { authorization: `Bearer ${key}`, ...headers });

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = await probe();
  }
  return value;
}

describe('permissions', () => {
  it('403 outside the list, 200 inside, and a narrowed list is enforced once its event arrives', async () => {
    const { id, key } = await createKey({ permissions: ['GET /api/v1/contacts', 'GET /api/v1/contact'] });
    expect((await get(key)).status).toBe(200);
    const outside = await get(key, '/api/v1/deals');
    expect([outside.status, outside.body]).toEqual([403, FORBIDDEN]);
    const { status } = await stack.manage('PATCH', `/v1/keys/${id}`, { permissions: ['GET /api/v1/contact'] });
    expect(status).toBe(200);
    const narrowed = await until(
      () => get(key),
      (res) => res.status === 403,
    );
    expect(narrowed.body).toBe(FORBIDDEN);
    expect((await get(key, '/api/v1/contact?provider=hubspot')).status).toBe(200);
  });
});

describe('allowed addresses', () => {
  it('403 from outside the list, 200 from inside it (the proxy sees 127.0.0.1)', async () => {
    const outside = await createKey({ allowedIps: ['10.0.0.0/8'] });
    const inside = await createKey({ allowedIps: ['127.0.0.1/32', '::1'] });
    const refused = await get(outside.key);
    expect([refused.status, refused.body]).toEqual([403, FORBIDDEN]);
    expect((await get(inside.key)).status).toBe(200);
  });
});

describe('owner id and metadata', () => {
  it('reach the upstream as X-RouteMCP-Owner-Id and X-RouteMCP-Key-Meta', async () => {
    const metadata = { plan: 'pro', seats: 3 };
    const { key } = await createKey({ ownerId: 'cust_e2e', metadata });
    // The example api's echo route answers with the headers that reached it.
    const res = await get(key, '/api/v1/echo');
    expect(res.status).toBe(200);
    const seen = (JSON.parse(res.body) as { data: { headers: Record<string, string> } }).data.headers;
    expect(seen['x-routemcp-owner-id']).toBe('cust_e2e');
    expect(JSON.parse(Buffer.from(seen['x-routemcp-key-meta']!, 'base64url').toString())).toEqual(metadata);
  });
});

describe('several buckets', () => {
  it('every bucket must admit; RateLimit-Policy lists them', async () => {
    const { key } = await createKey({
      rateLimits: [
        { name: 'burst', capacity: 2, refillPerSecond: 0.01 },
        { name: 'hour', capacity: 10, refillPerSecond: 0.01 },
      ],
    });
    const first = await get(key);
    expect(first.headers['ratelimit-policy']).toBe('"burst";q=2;w=200, "hour";q=10;w=1000');
    expect((await get(key)).status).toBe(200);
    const third = await get(key);
    expect(third.status).toBe(429);
    expect(JSON.parse(third.body)).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('a shared bucket is spent by every key of its owner; a shadow bucket never refuses', async () => {
    const shared = [{ name: 'team', capacity: 3, refillPerSecond: 0.01, shared: true }];
    const a = await createKey({ ownerId: 'cust_shared', rateLimits: shared });
    const b = await createKey({ ownerId: 'cust_shared', rateLimits: shared });
    const statuses = [];
    for (const key of [a, b, a, b]) statuses.push((await get(key.key)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const shadowed = await createKey({
      rateLimits: [{ name: 'trial', capacity: 1, refillPerSecond: 0.01, shadow: true }],
    });
    for (let i = 0; i < 3; i++) expect((await get(shadowed.key)).status).toBe(200);
  });
});

describe('quota', () => {
  it('429 QUOTA_EXCEEDED past the limit with Retry-After to the end of the UTC day; GET shows used and remaining', async () => {
    const { id, key } = await createKey({ quota: { limit: 2, period: 'day' } });
    expect((await get(key)).status).toBe(200);
    expect((await get(key)).status).toBe(200);
    const refused = await get(key);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toEqual({
      success: false,
      statusCode: 429,
      message: 'Quota exceeded',
      code: 'QUOTA_EXCEEDED',
    });
    const now = new Date();
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
    expect(Math.abs(Number(refused.headers['retry-after']) - (midnight - Date.now()) / 1000)).toBeLessThan(5);
    const shown = await until(
      () => stack.manage('GET', `/v1/keys/${id}`),
      (r) => r.json.data.quota?.used === 2,
    );
    expect(shown.json.data.quota).toMatchObject({ limit: 2, used: 2, remaining: 0 });
  });
});

describe('a key without policies', () => {
  it("still works exactly as the docs' example shows", async () => {
    const { key } = await createKey({});
    const res = await get(key);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ success: true });
  });
});
