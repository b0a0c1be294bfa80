import { makeTestKey } from '@routemcp/api-key/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAuthContract, type ContractKeys } from '../testing/auth-contract.ts';
import { sendRequest } from '../testing/http-request.ts';
import { startProxy, type ProxyHarness } from '../testing/proxy-harness.ts';
import { startRecordingUpstream, type RecordingUpstream } from '../testing/recording-upstream.ts';

let upstream: RecordingUpstream;
let proxy: ProxyHarness;
let keys: ContractKeys;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  proxy = await startProxy({ upstreamUrl: upstream.url, env: { PUBLIC_PATHS: '/public/status' } });
  const valid = makeTestKey('live');
  const revoked = makeTestKey('live');
  const limited = makeTestKey('test');
  proxy.verifier.add(valid.key, { environment: 'live' });
  proxy.verifier.add(limited.key, { environment: 'test', rateLimit: { capacity: 2, refillPerSecond: 1 } });
  proxy.verifier.revoke(revoked.key);
  keys = { valid: valid.key, revoked: revoked.key, unknown: makeTestKey('live').key, limited: limited.key };
});

afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

describe('the proxy in front of an upstream', () => {
  runAuthContract({
    request: (headers) => sendRequest(`${proxy.url}/api/v1/contact?provider=hubspot`, { headers }),
    keys: () => keys,
  });

  it("serves the docs' example with a valid key", async () => {
    const res = await sendRequest(`${proxy.url}/api/v1/contact?provider=hubspot`, {
      headers: { authorization: `Bearer ${keys.valid}` },
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ success: true, data: { path: '/api/v1/contact?provider=hubspot' } });
    expect(res.headers['ratelimit-limit']).toBe('100');
    expect(res.headers['ratelimit-remaining']).toBeDefined();
    expect(res.headers['ratelimit-reset']).toBeDefined();
  });

  it('rejects malformed keys without a lookup and refusals never reach the upstream', async () => {
    const lookups = proxy.verifier.lookups.length;
    const seen = upstream.requests.length;
    await sendRequest(`${proxy.url}/api/v1/contacts`, { headers: { authorization: 'Bearer sk_test_garbage' } });
    expect(proxy.verifier.lookups.length).toBe(lookups);
    await sendRequest(`${proxy.url}/api/v1/contacts`, { headers: { authorization: `Bearer ${keys.revoked}` } });
    expect(upstream.requests.length).toBe(seen);
  });

  it('answers 503 AUTH_UNAVAILABLE, never 401 or a pass, when the keystore cannot answer', async () => {
    proxy.verifier.otherwise({ ok: false, reason: 'unavailable' });
    try {
      const res = await sendRequest(`${proxy.url}/api/v1/contacts`, {
        headers: { authorization: `Bearer ${makeTestKey('live').key}` },
      });
      expect(res.status).toBe(503);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'AUTH_UNAVAILABLE', statusCode: 503 });
    } finally {
      proxy.verifier.otherwise({ ok: false, reason: 'unknown' });
    }
  });

  it('lets public paths through without a key, identity headers absent', async () => {
    const res = await sendRequest(proxy.url, {
      path: '/public//status?x=1',
      headers: { 'x-routemcp-key-id': 'key_spoof' },
    });
    expect(res.status).toBe(200);
    const recorded = upstream.requests.at(-1)!;
    // Matched, and forwarded, in canonical form.
    expect(recorded.url).toBe('/public/status?x=1');
    expect(Object.keys(recorded.headers).filter((name) => name.startsWith('x-routemcp-'))).toEqual([]);
    expect(res.headers['ratelimit-limit']).toBeUndefined();
  });

  it('does not treat look-alikes of a public path as public', async () => {
    for (const [path, status] of [
      ['/public/status/', 401],
      ['/public/x/../status/..', 401],
      // No canonical form: refused before any key is asked for.
      ['/public/%2e%2e/public/status', 400],
      ['/public/status%2f', 400],
      ['//public/status', 400],
    ] as const) {
      expect({ path, status: (await sendRequest(proxy.url, { path })).status }).toEqual({ path, status });
    }
  });

  it('logs one line per request with ids, never the key', async () => {
    await sendRequest(`${proxy.url}/api/v1/contacts?secret=${keys.valid}`, {
      headers: { authorization: `Bearer ${keys.valid}` },
    });
    const logs = proxy.logs.join('\n');
    expect(logs).not.toContain(keys.valid);
    const line = JSON.parse(proxy.logs.at(-1)!);
    expect(line).toMatchObject({
      method: 'GET',
      path: '/api/v1/contacts',
      status: 200,
      outcome: 'ok',
      accountId: 'acct_test',
    });
    expect(line.keyId).toMatch(/^key_/);
    expect(typeof line.reqId).toBe('string');
    expect(typeof line.ms).toBe('number');
  });
});
