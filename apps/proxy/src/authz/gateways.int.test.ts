import { readFile } from 'node:fs/promises';
import { makeTestKey } from '@routemcp/api-key/testing';
import { quotaPeriodStart } from '@routemcp/internal-api';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyVerifier, type KeyVerifier } from '../key-lookup/index.ts';
import { createLimiter } from '../rate-limit/index.ts';
import { FakeKeystore, type FakeKeyData } from '../testing/fake-keystore.ts';
import { freePort } from '@routemcp/testing/free-port';
import { documentedConfig, startGateway, type GatewayProcess } from '../testing/gateway-process.ts';
import { HOSTILE, PERMISSIONS, permitted } from '../testing/hostile-targets.ts';
import { sendRequest } from '../testing/http-request.ts';
import { pathPart, plainPathProblem } from '@routemcp/internal-api/testing';
import { startProxy, type ProxyHarness } from '../testing/proxy-harness.ts';
import { parseResponses, rawExchange } from '../testing/raw-http.ts';
import { startRecordingUpstream, type RecordingUpstream } from '../testing/recording-upstream.ts';

const DOCS = new URL('../../../../docs/', import.meta.url);
const CONFIGS = { nginx: new URL('forward-auth/nginx.conf', DOCS), caddy: new URL('forward-auth/Caddyfile', DOCS) };

describe('docs/forward-auth.md', () => {
  it('shows each tested config file byte for byte', async () => {
    const doc = await readFile(new URL('forward-auth.md', DOCS), 'utf8');
    for (const [lang, file] of [
      ['nginx', CONFIGS.nginx],
      ['caddyfile', CONFIGS.caddy],
    ] as const) {
      const text = await readFile(file, 'utf8');
      expect(doc).toContain(`\`\`\`${lang}\n${text}\`\`\``);
    }
  });
});

/**
 * Debian's nginx and Caddy, each started on the config docs/forward-auth.md
 * shows (only the addresses replaced), in front of a recording upstream,
 * asking the proxy's AUTHZ port; the proxy runs the real key verifier (cache
 * and change-event stream) over a fake keystore, and the real limiter.
 */
describe.each(['nginx', 'caddy'] as const)('%s in front, asking /authz', (kind) => {
  let upstream: RecordingUpstream;
  let keystore: FakeKeystore;
  let verifier: KeyVerifier;
  let proxy: ProxyHarness;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startRecordingUpstream();
    keystore = await new FakeKeystore().listen();
    const registry = new Registry();
    const logger = pino({ level: 'silent' });
    verifier = createKeyVerifier({
      keystoreUrl: keystore.url,
      serviceToken: keystore.token,
      cacheMaxKeys: 100,
      // Ten minutes: only a change event can explain a revoke seen within the test.
      cacheTtlMs: 600_000,
      negativeTtlMs: 5_000,
      staleIfErrorMs: 300_000,
      keystoreTimeoutMs: 2_000,
      registry,
      logger,
    });
    await verifier.start();
    const realLimiter = createLimiter({ redisTimeoutMs: 50, registry, logger });
    // The gateway is the only peer: its X-Forwarded-For names the client.
    proxy = await startProxy({
      upstreamUrl: upstream.url,
      env: { TRUSTED_PROXIES: '127.0.0.1' },
      registry,
      realLimiter,
      keyVerifier: verifier,
    });
    const listen = await freePort();
    const site = await documentedConfig(CONFIGS[kind].pathname, {
      listen,
      authz: Number(new URL(proxy.authzUrl).port),
      upstream: Number(new URL(upstream.url).port),
    });
    gateway = await startGateway(kind, site, listen);
  });

  afterAll(async () => {
    await gateway?.stop();
    await proxy?.close();
    await verifier?.close();
    await keystore?.[Symbol.asyncDispose]();
    await upstream?.close();
  });

  let keys = 0;
  function withKey(record: Partial<FakeKeyData> = {}) {
    const { key, hash } = makeTestKey('live');
    const stored: FakeKeyData = {
      id: `key_${++keys}`,
      accountId: 'acct_1',
      environment: 'live',
      status: 'active',
      expiresAt: null,
      rateLimit: null,
      ...record,
    };
    keystore.records.set(hash, stored);
    /** Changes the key at the keystore and pushes the event the proxy listens to. */
    const change = (type: string, changes: Partial<FakeKeyData>) => {
      keystore.records.set(hash, { ...stored, ...changes });
      keystore.emit(type, hash);
    };
    const call = (path: string, init: { method?: string; headers?: Record<string, string> } = {}) =>
      sendRequest(`${gateway.url}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, ...init.headers } });
    return { key, hash, stored, call, change };
  }

  const lastUpstream = () => upstream.requests.at(-1);

  it('lets a valid key through; the upstream sees the identity, not the key nor what the client claimed', async () => {
    const { key, stored, call } = withKey({ accountId: 'acct_9' });
    const res = await call('/api/v1/contacts?provider=hubspot', {
      headers: { 'x-routemcp-owner-id': 'cus_forged', 'x-routemcp-account-id': 'acct_forged' },
    });
    expect(res.status, gateway.output()).toBe(200);
    const seen = lastUpstream()!;
    expect(seen.url).toBe('/api/v1/contacts?provider=hubspot');
    expect(seen.headers['x-routemcp-key-id']).toBe(stored.id);
    expect(seen.headers['x-routemcp-account-id']).toBe('acct_9');
    expect(seen.headers['x-routemcp-environment']).toBe('live');
    // No owner: nginx sends none, Caddy an empty one; never the client's.
    expect(seen.headers['x-routemcp-owner-id'] ?? '').toBe('');
    expect(seen.headers.authorization).toBeUndefined();
    expect(JSON.stringify(seen.headers)).not.toContain(key);
  });

  it('answers 401 with no key, and forwards nothing', async () => {
    const before = upstream.requests.length;
    const res = await sendRequest(`${gateway.url}/api/v1/contacts`, { headers: { 'x-routemcp-key-id': 'key_forged' } });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'INVALID_API_KEY' });
    expect(upstream.requests.length).toBe(before);
  });

  it('lets a restricted key through on its path only, and for its method only', async () => {
    const { call } = withKey({ permissions: ['GET /api/v1/contacts'] });
    expect((await call('/api/v1/contacts')).status).toBe(200);
    const before = upstream.requests.length;
    const elsewhere = await call('/api/v1/deals');
    expect(elsewhere.status).toBe(403);
    expect(JSON.parse(elsewhere.body)).toMatchObject({ code: 'FORBIDDEN' });
    expect((await call('/api/v1/contacts', { method: 'POST' })).status).toBe(403);
    expect((await call('/api/v1/contacts', { method: 'DELETE' })).status).toBe(403);
    // A client naming another original request in the gateway's own headers is not believed.
    const spoofed = await call('/api/v1/deals', {
      headers: { 'x-forwarded-uri': '/api/v1/contacts', 'x-original-uri': '/api/v1/contacts' },
    });
    expect(spoofed.status).toBe(403);
    expect(upstream.requests.length).toBe(before);
  });

  it('answers 200, 200, then 429 with Retry-After on a bucket of 2', async () => {
    const { call } = withKey({ rateLimit: { capacity: 2, refillPerSecond: 0.01 } });
    expect((await call('/a')).status).toBe(200);
    expect((await call('/a')).status).toBe(200);
    const res = await call('/a');
    expect(res.status).toBe(429);
    expect(JSON.parse(res.body)).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('answers 429 QUOTA_EXCEEDED with Retry-After once the quota is spent, not RATE_LIMITED', async () => {
    const periodStart = new Date(quotaPeriodStart('day', Date.now())).toISOString();
    // The keystore already counted 1 of 2 today.
    const { call } = withKey({ quota: { limit: 2, period: 'day', shared: false, used: 1, periodStart } });
    expect((await call('/a')).status).toBe(200);
    const res = await call('/a');
    expect(res.status).toBe(429);
    expect(JSON.parse(res.body)).toEqual({
      success: false,
      statusCode: 429,
      message: 'Quota exceeded',
      code: 'QUOTA_EXCEEDED',
    });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('answers 401 within a second of a revoke (the change event, the key cached for ten minutes)', async () => {
    const { call, change } = withKey();
    expect((await call('/a')).status).toBe(200);
    change('revoked', { status: 'revoked' });
    const revokedAt = performance.now();
    let status = 200;
    // Each attempt is one awaited round trip through the gateway; bounded in count and by the second.
    for (let attempt = 0; attempt < 200 && status === 200 && performance.now() - revokedAt < 1_000; attempt++)
      status = (await call('/a')).status;
    expect(status).toBe(401);
  });

  it('answers 503 when the keystore cannot say and nothing is cached (fails closed)', async () => {
    const { call } = withKey();
    keystore.mode = 'error-500';
    try {
      const res = await call('/a');
      expect(res.status).toBe(503);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'AUTH_UNAVAILABLE' });
    } finally {
      keystore.mode = 'normal';
    }
  });

  let forwardedHostile = 0;
  it.each(HOSTILE)('hostile target %s: refused, or forwarded as a plain path the key may call', async (target) => {
    const { key } = withKey({ permissions: PERMISSIONS });
    const before = upstream.requests.length;
    const port = new URL(gateway.url).port;
    const { text } = await rawExchange(
      gateway.url,
      `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${key}\r\nConnection: close\r\n\r\n`,
    );
    const [response] = parseResponses(text);
    const forwarded = upstream.requests.slice(before);
    // Nothing forwarded (refused, or no site for the target's host), or one plain, permitted path.
    expect(forwarded.length).toBeLessThanOrEqual(1);
    if (forwarded.length === 1) {
      forwardedHostile++;
      expect(response?.status).toBe(200);
      const sent = forwarded[0]!.url;
      expect(plainPathProblem(sent)).toBeNull();
      expect(permitted(pathPart(sent))).toBe(true);
    }
  });

  it('forwarded some hostile targets as plain paths (the checks above are not vacuous)', () => {
    expect(forwardedHostile).toBeGreaterThanOrEqual(5);
  });
});
