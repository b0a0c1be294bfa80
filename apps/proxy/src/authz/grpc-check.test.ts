import { makeTestKey } from '@routemcp/api-key/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyRecord } from '../key-lookup/index.ts';
import { startProxy, type ProxyHarness } from '../testing/proxy-harness.ts';
import {
  EnvoyCheckClient,
  headerRecord as headerMap,
  type DecodedCheck as Decoded,
} from '../testing/envoy-check-client.ts';
import { createAuthzGrpcServer } from './grpc-server.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** The proxy's pipeline (fake keystore, fake limiter) behind the gRPC service, and a client playing Envoy. */
async function setup(env: Record<string, string> = {}) {
  // No upstream is reached by a forward-auth check: the port is never dialled.
  const proxy = await startProxy({ upstreamUrl: 'http://127.0.0.1:9', env });
  cleanups.push(() => proxy.close());
  const grpc = createAuthzGrpcServer(proxy.servers.pipeline);
  const port = await grpc.listen(0, '127.0.0.1');
  cleanups.push(() => grpc.close(1_000));
  const client = new EnvoyCheckClient(port);
  cleanups.push(async () => client.close());
  const check = (http: { method?: string; path: string; headers?: Record<string, string> }, source = '127.0.0.1') =>
    client.check({ ...http, source });
  return { proxy, check };
}

function withKey(proxy: ProxyHarness, record: Partial<KeyRecord> = {}) {
  const { key } = makeTestKey('live');
  const stored = proxy.verifier.add(key, { environment: 'live', ...record });
  return { key, stored, authorization: { authorization: `Bearer ${key}` } };
}

function outcomes(proxy: ProxyHarness): string[] {
  return proxy.logs
    .map((line) => JSON.parse(line) as { msg: string; outcome?: string })
    .filter((line) => line.msg === 'request')
    .map((line) => line.outcome!);
}

function expectDenied(response: Decoded, httpStatus: string, rpcCode: number, body: string) {
  expect(response.httpResponse).toBe('deniedResponse');
  expect(response.status?.code).toBe(rpcCode);
  expect(response.deniedResponse?.status?.code).toBe(httpStatus);
  expect(response.deniedResponse?.body).toBe(body);
  expect(headerMap(response.deniedResponse?.headers)['content-type']).toBe('application/json; charset=utf-8');
}

describe('envoy.service.auth.v3.Authorization/Check', () => {
  it('allows a valid key: identity headers overwritten, the key removed, RateLimit-* for the client', async () => {
    const { proxy, check } = await setup();
    const { stored, authorization } = withKey(proxy, { ownerId: 'user_7', metadata: { plan: 'pro' } });
    const response = await check({
      path: '/api/v1/contacts?provider=hubspot',
      headers: { ...authorization, 'x-routemcp-key-id': 'key_forged', 'x-routemcp-tenant': 'forged' },
    });
    expect(response.httpResponse).toBe('okResponse');
    expect(response.status?.code ?? 0).toBe(0);
    const ok = response.okResponse!;
    expect(headerMap(ok.headers)).toEqual({
      'x-routemcp-key-id': stored.id,
      'x-routemcp-account-id': 'acct_test',
      'x-routemcp-environment': 'live',
      'x-routemcp-owner-id': 'user_7',
      'x-routemcp-key-meta': Buffer.from('{"plan":"pro"}').toString('base64url'),
    });
    expect(new Set(ok.headers!.map((option) => option.appendAction))).toEqual(new Set(['OVERWRITE_IF_EXISTS_OR_ADD']));
    // The forged name we set is overwritten; the one we do not set is removed.
    expect(ok.headersToRemove).toEqual(['authorization', 'x-routemcp-tenant']);
    expect(Object.keys(headerMap(ok.responseHeadersToAdd))).toEqual(
      expect.arrayContaining(['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'ratelimit-policy']),
    );
    expect(outcomes(proxy)).toEqual(['ok']);
    expect(proxy.usage).toEqual([{ keyId: stored.id, rateLimited: false, admitted: true }]);
    expect(proxy.logs.join('\n')).not.toContain(authorization.authorization.slice(7));
  });

  it('refuses a missing or unknown key with Unauthorized and the envelope', async () => {
    const { proxy, check } = await setup();
    const invalid =
      '{"success":false,"statusCode":401,"message":"Invalid or missing API key","code":"INVALID_API_KEY"}';
    expectDenied(await check({ path: '/api/v1/contacts' }), 'Unauthorized', 16, invalid);
    const { key } = makeTestKey('live');
    expectDenied(
      await check({ path: '/api/v1/contacts', headers: { authorization: `Bearer ${key}` } }),
      'Unauthorized',
      16,
      invalid,
    );
    expect(outcomes(proxy)).toEqual(['INVALID_API_KEY', 'INVALID_API_KEY']);
  });

  it('refuses a key outside its permissions with Forbidden, and allows it inside them', async () => {
    const { proxy, check } = await setup();
    const { authorization } = withKey(proxy, { permissions: ['GET /api/v1/contacts'] });
    expect((await check({ path: '/api/v1/contacts', headers: authorization })).httpResponse).toBe('okResponse');
    const forbidden =
      '{"success":false,"statusCode":403,"message":"This API key is not allowed to call this endpoint","code":"FORBIDDEN"}';
    expectDenied(await check({ path: '/api/v1/deals', headers: authorization }), 'Forbidden', 7, forbidden);
    expectDenied(
      await check({ method: 'POST', path: '/api/v1/contacts', headers: authorization }),
      'Forbidden',
      7,
      forbidden,
    );
    expect(outcomes(proxy)).toEqual(['ok', 'FORBIDDEN_PERMISSION', 'FORBIDDEN_PERMISSION']);
  });

  it('refuses past the bucket with TooManyRequests and retry-after', async () => {
    const { proxy, check } = await setup();
    const { stored, authorization } = withKey(proxy, { rateLimit: { capacity: 2, refillPerSecond: 1 } });
    for (let i = 0; i < 2; i++)
      expect((await check({ path: '/api/v1/contacts', headers: authorization })).httpResponse).toBe('okResponse');
    const limited = await check({ path: '/api/v1/contacts', headers: authorization });
    expectDenied(
      limited,
      'TooManyRequests',
      8,
      '{"success":false,"statusCode":429,"message":"Too many requests","code":"RATE_LIMITED"}',
    );
    const headers = headerMap(limited.deniedResponse?.headers);
    expect(headers['retry-after']).toBe('1');
    expect(headers['ratelimit-remaining']).toBe('0');
    expect(proxy.usage.at(-1)).toEqual({ keyId: stored.id, rateLimited: true, admitted: false });
  });

  it('answers ServiceUnavailable when the keystore cannot be asked (fail closed)', async () => {
    const { proxy, check } = await setup();
    proxy.verifier.otherwise({ ok: false, reason: 'unavailable' });
    const { key } = makeTestKey('live');
    expectDenied(
      await check({ path: '/api/v1/contacts', headers: { authorization: `Bearer ${key}` } }),
      'ServiceUnavailable',
      14,
      '{"success":false,"statusCode":503,"message":"Authentication service unavailable","code":"AUTH_UNAVAILABLE"}',
    );
    expect(outcomes(proxy)).toEqual(['AUTH_UNAVAILABLE']);
  });

  it('refuses a path that is not in canonical form with BadRequest, before any key lookup', async () => {
    const { proxy, check } = await setup();
    const { authorization } = withKey(proxy, { permissions: ['GET /api/v1/contacts/**'] });
    const bad = '{"success":false,"statusCode":400,"message":"Bad request","code":"BAD_REQUEST"}';
    for (const path of ['/api/v1/contacts/../admin', '/api/v1/contacts/%2e%2e/admin', '//evil/api', '/a#b', 'api'])
      expectDenied(await check({ path, headers: authorization }), 'BadRequest', 3, bad);
    expect(proxy.verifier.lookups).toEqual([]);
    expect(outcomes(proxy)).toEqual(Array(5).fill('BAD_PATH'));
  });

  it('reads the client from X-Forwarded-For only when Envoy is a trusted proxy', async () => {
    const { proxy, check } = await setup({ TRUSTED_PROXIES: '10.0.0.0/8' });
    const { authorization } = withKey(proxy, { allowedIps: ['198.51.100.0/24'] });
    const headers = { ...authorization, 'x-forwarded-for': '198.51.100.7' };
    expect((await check({ path: '/api/v1/contacts', headers }, '10.1.2.3')).httpResponse).toBe('okResponse');
    expect((await check({ path: '/api/v1/contacts', headers }, '192.0.2.1')).deniedResponse?.status?.code).toBe(
      'Forbidden',
    );
  });
});
