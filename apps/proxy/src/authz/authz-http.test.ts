import { makeTestKey } from '@routemcp/api-key/testing';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyRecord } from '../key-lookup/index.ts';
import { createLimiter } from '../rate-limit/index.ts';
import { HOSTILE, PERMISSIONS } from '../testing/hostile-targets.ts';
import { sendRequest } from '../testing/http-request.ts';
import { startProxy, type ProxyHarness } from '../testing/proxy-harness.ts';
import { startRecordingUpstream } from '../testing/recording-upstream.ts';

const ENVELOPE = {
  INVALID_API_KEY: '{"success":false,"statusCode":401,"message":"Invalid or missing API key","code":"INVALID_API_KEY"}',
  FORBIDDEN:
    '{"success":false,"statusCode":403,"message":"This API key is not allowed to call this endpoint","code":"FORBIDDEN"}',
  BAD_REQUEST: '{"success":false,"statusCode":400,"message":"Bad request","code":"BAD_REQUEST"}',
  NOT_FOUND: '{"success":false,"statusCode":404,"message":"Not found","code":"NOT_FOUND"}',
  AUTH_UNAVAILABLE:
    '{"success":false,"statusCode":503,"message":"Authentication service unavailable","code":"AUTH_UNAVAILABLE"}',
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** The real proxy (and so its authz port) with the real in-memory limiter; the upstream is never asked by /authz. */
async function setup(env: Record<string, string> = {}) {
  const upstream = await startRecordingUpstream();
  cleanups.push(() => upstream.close());
  const registry = new Registry();
  const realLimiter = createLimiter({ redisTimeoutMs: 50, registry, logger: pino({ level: 'silent' }) });
  const proxy = await startProxy({ upstreamUrl: upstream.url, env, registry, realLimiter });
  cleanups.push(() => proxy.close());
  return { proxy, upstream };
}

function withKey(proxy: ProxyHarness, record: Partial<KeyRecord> = {}) {
  const { key } = makeTestKey('live');
  const stored = proxy.verifier.add(key, { environment: 'live', ...record });
  const ask = (path: string, init: { method?: string; headers?: Record<string, string | string[]> } = {}) =>
    sendRequest(`${proxy.authzUrl}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, ...init.headers } });
  return { key, stored, ask };
}

function accessLog(proxy: ProxyHarness) {
  return proxy.logs
    .map(
      (line) => JSON.parse(line) as { msg: string; method?: string; path?: string; status?: number; outcome?: string },
    )
    .filter((line) => line.msg === 'request');
}

describe('which request is checked', () => {
  it('reads X-Forwarded-Method + X-Forwarded-Uri, then X-Original-Method + X-Original-URI, then its own method and path', async () => {
    const { proxy } = await setup();
    const { ask } = withKey(proxy, { permissions: ['GET /api/v1/contacts'] });
    // Own method and the path after /authz (Envoy's path_prefix).
    expect((await ask('/authz/api/v1/contacts')).status).toBe(200);
    expect((await ask('/authz/api/v1/deals')).status).toBe(403);
    expect((await ask('/authz/api/v1/contacts', { method: 'POST' })).status).toBe(403);
    // X-Original-* (nginx) win over the own path and method.
    const nginx = { 'x-original-uri': '/api/v1/contacts?x=1', 'x-original-method': 'GET' };
    expect((await ask('/authz', { method: 'POST', headers: nginx })).status).toBe(200);
    expect((await ask('/authz/api/v1/contacts', { headers: { 'x-original-uri': '/api/v1/deals' } })).status).toBe(403);
    expect((await ask('/authz', { headers: { ...nginx, 'x-original-method': 'DELETE' } })).status).toBe(403);
    // X-Forwarded-* (Traefik, Caddy) win over X-Original-*.
    const traefik = { 'x-forwarded-uri': '/api/v1/contacts', 'x-forwarded-method': 'GET' };
    expect((await ask('/authz', { headers: { ...traefik, 'x-original-uri': '/api/v1/deals' } })).status).toBe(200);
    expect((await ask('/authz', { headers: { ...nginx, 'x-forwarded-uri': '/api/v1/deals' } })).status).toBe(403);
    expect((await ask('/authz', { headers: { ...traefik, 'x-forwarded-method': 'PUT' } })).status).toBe(403);
  });

  it('logs and counts the original request, once, in the proxy access log and usage', async () => {
    const { proxy } = await setup();
    const { stored, ask } = withKey(proxy);
    await ask('/authz', { headers: { 'x-forwarded-uri': '/api/v1/contacts?secret=1', 'x-forwarded-method': 'PATCH' } });
    const [line] = accessLog(proxy);
    expect(line).toMatchObject({ method: 'PATCH', path: '/api/v1/contacts', status: 200, outcome: 'ok' });
    expect(proxy.usage).toEqual([{ keyId: stored.id, rateLimited: false, admitted: true }]);
  });

  it('answers 404 off /authz and 400 for two values of one original header', async () => {
    const { proxy } = await setup();
    const { ask } = withKey(proxy);
    for (const path of ['/', '/authzx', '/api/v1/contacts']) {
      const res = await ask(path);
      expect([path, res.status, res.body]).toEqual([path, 404, ENVELOPE.NOT_FOUND]);
    }
    const twice = await ask('/authz', { headers: { 'x-forwarded-uri': ['/public/a', '/api/v1/deals'] } });
    expect([twice.status, twice.body]).toEqual([400, ENVELOPE.BAD_REQUEST]);
  });
});

describe('the allowed answer', () => {
  it('is 200 with an empty body, the identity headers and RateLimit-*', async () => {
    const { proxy } = await setup();
    const { stored, ask } = withKey(proxy, {
      accountId: 'acct_42',
      ownerId: 'cus_7',
      metadata: { plan: 'pro' },
      rateLimit: { capacity: 5, refillPerSecond: 1 },
    });
    const res = await ask('/authz/api/v1/contacts');
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    expect(res.headers['content-length']).toBe('0');
    expect(res.headers).toMatchObject({
      'x-routemcp-key-id': stored.id,
      'x-routemcp-account-id': 'acct_42',
      'x-routemcp-environment': 'live',
      'x-routemcp-owner-id': 'cus_7',
      'x-routemcp-key-meta': Buffer.from('{"plan":"pro"}').toString('base64url'),
      'ratelimit-limit': '5',
      'ratelimit-remaining': '4',
    });
    expect(res.headers['ratelimit-policy']).toBeDefined();
    expect(JSON.stringify(res.headers)).not.toContain('sk_');
  });

  it('carries every identity header, empty where there is none (a public path: no key read)', async () => {
    const { proxy } = await setup({ PUBLIC_PATHS: '/health' });
    const res = await sendRequest(`${proxy.authzUrl}/authz/health`);
    expect(res.status).toBe(200);
    for (const name of ['key-id', 'account-id', 'environment', 'owner-id', 'key-meta'])
      expect(res.headers[`x-routemcp-${name}`]).toBe('');
  });
});

describe('refusals: the proxy envelope and status', () => {
  it('401 without a key or with an unknown one', async () => {
    const { proxy } = await setup();
    for (const headers of [{}, { authorization: `Bearer ${makeTestKey('live').key}` }]) {
      const res = await sendRequest(`${proxy.authzUrl}/authz/api/v1/contacts`, { headers });
      expect([res.status, res.body]).toEqual([401, ENVELOPE.INVALID_API_KEY]);
      // nginx's auth_request sees only the status and headers: the code rides in a header too.
      expect(res.headers['x-routemcp-error-code']).toBe('INVALID_API_KEY');
    }
  });

  it('429 RATE_LIMITED with Retry-After when the bucket is empty', async () => {
    const { proxy } = await setup();
    const { ask } = withKey(proxy, { rateLimit: { capacity: 2, refillPerSecond: 0.01 } });
    expect((await ask('/authz/a')).status).toBe(200);
    expect((await ask('/authz/a')).status).toBe(200);
    const res = await ask('/authz/a');
    expect(res.status).toBe(429);
    expect(JSON.parse(res.body)).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(proxy.usage.at(-1)).toMatchObject({ rateLimited: true, admitted: false });
  });

  it('503 AUTH_UNAVAILABLE when the keystore cannot answer', async () => {
    const { proxy } = await setup();
    proxy.verifier.otherwise({ ok: false, reason: 'unavailable' });
    const res = await sendRequest(`${proxy.authzUrl}/authz/a`, {
      headers: { authorization: `Bearer ${makeTestKey('live').key}` },
    });
    expect([res.status, res.body]).toEqual([503, ENVELOPE.AUTH_UNAVAILABLE]);
  });

  it('401 at once after a revoke', async () => {
    const { proxy } = await setup();
    const { key, ask } = withKey(proxy);
    expect((await ask('/authz/a')).status).toBe(200);
    proxy.verifier.revoke(key);
    expect((await ask('/authz/a')).status).toBe(401);
  });

  it('400 for a target the gateway would forward in another form than its canonical one', async () => {
    const { proxy } = await setup();
    const { ask } = withKey(proxy);
    for (const target of ['/a/../b', '/a//b', '/%61', 'http://x/a', '*', '/a#b']) {
      const res = await ask('/authz', { headers: { 'x-forwarded-uri': target } });
      expect([target, res.status, res.body]).toEqual([target, 400, ENVELOPE.BAD_REQUEST]);
    }
  });
});

describe('the client address', () => {
  it('comes from X-Forwarded-For only from a trusted proxy', async () => {
    const trusted = await setup({ TRUSTED_PROXIES: '127.0.0.1' });
    const allowed = withKey(trusted.proxy, { allowedIps: ['203.0.113.7'] });
    expect((await allowed.ask('/authz/a', { headers: { 'x-forwarded-for': '203.0.113.7' } })).status).toBe(200);
    expect((await allowed.ask('/authz/a', { headers: { 'x-forwarded-for': '198.51.100.1' } })).status).toBe(403);
    // Right-most untrusted entry: the client cannot prepend its way in.
    const prepended = { 'x-forwarded-for': '203.0.113.7, 198.51.100.1' };
    expect((await allowed.ask('/authz/a', { headers: prepended })).status).toBe(403);

    const untrusting = await setup();
    const peer = withKey(untrusting.proxy, { allowedIps: ['203.0.113.7'] });
    const res = await peer.ask('/authz/a', { headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect([res.status, res.body]).toEqual([403, ENVELOPE.FORBIDDEN]);
  });
});

describe('hostile targets (the differential suite)', async () => {
  it.each(HOSTILE)('%s: refused, or allowed only as the very target that was sent', async (target, expected) => {
    const { proxy } = await setup();
    const { ask } = withKey(proxy, { permissions: PERMISSIONS });
    const res = await ask('/authz', { headers: { 'x-forwarded-uri': target, 'x-forwarded-method': 'GET' } });
    if (expected === target) expect(res.status).toBe(200);
    // Forwarded by the proxy in another form: the gateway would send this one, so it is refused.
    else if (typeof expected === 'string' || expected === 400) expect(res.status).toBe(400);
    else expect([400, 403]).toContain(res.status);
  });
});
