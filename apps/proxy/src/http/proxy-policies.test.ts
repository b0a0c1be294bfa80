import { makeTestKey } from '@routemcp/api-key/testing';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyRecord } from '../key-lookup/index.ts';
import { createLimiter } from '../rate-limit/index.ts';
import { sendRequest } from '../testing/http-request.ts';
import { startProxy, type ProxyHarness } from '../testing/proxy-harness.ts';
import { startRecordingUpstream } from '../testing/recording-upstream.ts';

const FORBIDDEN =
  '{"success":false,"statusCode":403,"message":"This API key is not allowed to call this endpoint","code":"FORBIDDEN"}';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** The real proxy with the real in-memory limiter in front of a recording upstream. */
async function setup(env: Record<string, string> = {}) {
  const upstream = await startRecordingUpstream();
  cleanups.push(() => upstream.close());
  const registry = new Registry();
  const realLimiter = createLimiter({ redisTimeoutMs: 50, registry, logger: pino({ level: 'silent' }) });
  const proxy = await startProxy({ upstreamUrl: upstream.url, env, registry, realLimiter });
  cleanups.push(() => proxy.close());
  return { upstream, proxy, registry };
}

function withKey(proxy: ProxyHarness, record: Partial<KeyRecord>) {
  const { key } = makeTestKey('live');
  const stored = proxy.verifier.add(key, { environment: 'live', ...record });
  const call = (path: string, init: { method?: string; headers?: Record<string, string> } = {}) =>
    sendRequest(`${proxy.url}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, ...init.headers } });
  return { key, stored, call };
}

function outcomes(proxy: ProxyHarness): string[] {
  return proxy.logs
    .map((line) => JSON.parse(line) as { msg: string; outcome?: string })
    .filter((line) => line.msg === 'request')
    .map((line) => line.outcome!);
}

describe('permissions', () => {
  it('answers 403 FORBIDDEN outside the list, before any upstream connection, and forwards inside it', async () => {
    const { proxy, upstream } = await setup();
    const { call } = withKey(proxy, { permissions: ['GET /api/v1/contacts', '* /api/v1/deals/**'] });
    expect((await call('/api/v1/contacts?provider=hubspot')).status).toBe(200);
    expect((await call('/api/v1/deals/7/notes', { method: 'DELETE' })).status).toBe(200);
    const before = upstream.requests.length;
    for (const [method, path] of [
      ['POST', '/api/v1/contacts'],
      ['GET', '/api/v1/companies'],
      ['GET', '/api/v1/contacts/../companies'],
    ] as const) {
      const res = await call(path, { method });
      expect(res.status).toBe(403);
      expect(res.body).toBe(FORBIDDEN);
    }
    expect(upstream.requests.length).toBe(before);
    expect(outcomes(proxy).slice(-3)).toEqual(Array(3).fill('FORBIDDEN_PERMISSION'));
  });
});

describe('allowed addresses', () => {
  it('refuses a key used from outside its list with 403, and serves it from inside', async () => {
    const { proxy } = await setup();
    const outside = withKey(proxy, { allowedIps: ['10.0.0.0/8'] });
    const inside = withKey(proxy, { allowedIps: ['127.0.0.0/8', '::1'] });
    const refused = await outside.call('/api/v1/contacts');
    expect(refused.status).toBe(403);
    expect(refused.body).toBe(FORBIDDEN);
    expect((await inside.call('/api/v1/contacts')).status).toBe(200);
    expect(outcomes(proxy)[0]).toBe('FORBIDDEN_IP');
  });

  it('reads the client behind a trusted proxy from X-Forwarded-For, and ignores it from anyone else', async () => {
    const trusted = await setup({ TRUSTED_PROXIES: '127.0.0.1/32' });
    const key = withKey(trusted.proxy, { allowedIps: ['198.51.100.0/24'] });
    const behindBalancer = { 'x-forwarded-for': '203.0.113.9, 198.51.100.20' };
    expect((await key.call('/x', { headers: behindBalancer })).status).toBe(200);
    expect(trusted.upstream.requests.at(-1)!.headers['x-forwarded-for']).toBe('198.51.100.20');
    // The client may prepend anything; only the right-most untrusted hop counts.
    const spoofed = { 'x-forwarded-for': '198.51.100.20, 203.0.113.9' };
    expect((await key.call('/x', { headers: spoofed })).status).toBe(403);

    const untrusted = await setup();
    const same = withKey(untrusted.proxy, { allowedIps: ['198.51.100.0/24'] });
    expect((await same.call('/x', { headers: behindBalancer })).status).toBe(403);
  });
});

describe('owner and metadata', () => {
  it('forwards X-RouteMCP-Owner-Id and X-RouteMCP-Key-Meta (base64url JSON), never the client-sent ones', async () => {
    const { proxy, upstream } = await setup();
    const metadata = { plan: 'pro', region: 'eu' };
    const { call } = withKey(proxy, { ownerId: 'cust_42', metadata });
    await call('/x', { headers: { 'x-routemcp-owner-id': 'cust_spoof', 'x-routemcp-key-meta': 'spoof' } });
    const seen = upstream.requests.at(-1)!.headers;
    expect(seen['x-routemcp-owner-id']).toBe('cust_42');
    expect(JSON.parse(Buffer.from(seen['x-routemcp-key-meta'] as string, 'base64url').toString())).toEqual(metadata);
    const plain = withKey(proxy, {});
    await plain.call('/x', { headers: { 'x-routemcp-owner-id': 'cust_spoof' } });
    expect(upstream.requests.at(-1)!.headers).not.toHaveProperty('x-routemcp-owner-id');
    expect(upstream.requests.at(-1)!.headers).not.toHaveProperty('x-routemcp-key-meta');
  });
});

describe('several buckets', () => {
  const buckets = [
    { name: 'burst', capacity: 2, refillPerSecond: 0.001, shared: false, shadow: false },
    { name: 'hourly', capacity: 5, refillPerSecond: 0.001, shared: false, shadow: false },
  ];

  it('needs every bucket to admit, lists them in RateLimit-Policy, and describes the most restrictive', async () => {
    const { proxy } = await setup();
    const { call } = withKey(proxy, { rateLimits: buckets });
    const first = await call('/x');
    expect(first.headers['ratelimit-policy']).toBe('"burst";q=2;w=2000, "hourly";q=5;w=5000');
    expect(first.headers['ratelimit-limit']).toBe('2');
    expect(first.headers['ratelimit-remaining']).toBe('1');
    expect((await call('/x')).status).toBe(200);
    const third = await call('/x');
    expect(third.status).toBe(429);
    expect(JSON.parse(third.body)).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('shares a bucket between the keys of one owner, and only the shared one', async () => {
    const { proxy } = await setup();
    const team = [{ name: 'team', capacity: 3, refillPerSecond: 0.001, shared: true, shadow: false }];
    const a = withKey(proxy, { ownerId: 'cust_1', rateLimits: team });
    const b = withKey(proxy, { ownerId: 'cust_1', rateLimits: team });
    const other = withKey(proxy, { ownerId: 'cust_2', rateLimits: team });
    const statuses = [];
    for (const key of [a, b, a, b, a]) statuses.push((await key.call('/x')).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect((await other.call('/x')).status).toBe(200);
  });

  it('never refuses on a shadow bucket, but counts what it would have refused', async () => {
    const { proxy, registry } = await setup();
    const shadowed = [{ name: 'trial', capacity: 1, refillPerSecond: 0.001, shared: false, shadow: true }];
    const { call } = withKey(proxy, { rateLimits: shadowed });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call('/x')).status);
    expect(statuses).toEqual([200, 200, 200, 200]);
    const metric = await registry.getSingleMetric('routemcp_proxy_ratelimit_shadow_refusals_total')!.get();
    expect(metric.values[0]!.value).toBe(3);
  });
});

describe('quota', () => {
  it('answers 429 QUOTA_EXCEEDED past the limit, with Retry-After to the end of the UTC period', async () => {
    const { proxy } = await setup();
    const now = Date.now();
    const day = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate());
    // The keystore already counted 1 of 3 today.
    const { call } = withKey(proxy, { quota: { limit: 3, period: 'day', shared: false, used: 1, periodStart: day } });
    expect((await call('/x')).status).toBe(200);
    expect((await call('/x')).status).toBe(200);
    const refused = await call('/x');
    expect(refused.status).toBe(429);
    expect(refused.body).toBe('{"success":false,"statusCode":429,"message":"Quota exceeded","code":"QUOTA_EXCEEDED"}');
    const untilMidnight = Math.ceil((day + 86_400_000 - Date.now()) / 1000);
    expect(Math.abs(Number(refused.headers['retry-after']) - untilMidnight)).toBeLessThanOrEqual(2);
    expect(outcomes(proxy).at(-1)).toBe('QUOTA_EXCEEDED');
  });

  it('counts a shared quota over every key of the owner', async () => {
    const { proxy } = await setup();
    const quota = { limit: 2, period: 'total' as const, shared: true, used: 0, periodStart: 0 };
    const a = withKey(proxy, { ownerId: 'cust_q', quota });
    const b = withKey(proxy, { ownerId: 'cust_q', quota });
    expect([(await a.call('/x')).status, (await b.call('/x')).status]).toEqual([200, 200]);
    const refused = await a.call('/x');
    expect(refused.status).toBe(429);
    // A total quota never resets: no Retry-After to promise.
    expect(refused.headers['retry-after']).toBeUndefined();
  });
});
