import { makeTestKey } from '@routemcp/api-key/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyRecord } from '../key-lookup/index.ts';
import { sendRequest } from '../testing/http-request.ts';
import { startProxy, type ProxyHarness } from '../testing/proxy-harness.ts';
import { startRecordingUpstream, type RecordingUpstream } from '../testing/recording-upstream.ts';

let upstream: RecordingUpstream;
let sandbox: RecordingUpstream;
let proxy: ProxyHarness;
const live = makeTestKey('live');
const test = makeTestKey('test');
let liveRecord: KeyRecord;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  sandbox = await startRecordingUpstream();
  proxy = await startProxy({ upstreamUrl: upstream.url, env: { UPSTREAM_TEST_URL: sandbox.url } });
  liveRecord = proxy.verifier.add(live.key, { environment: 'live', accountId: 'acct_live' });
  proxy.verifier.add(test.key, { environment: 'test', accountId: 'acct_sandbox' });
});

afterAll(async () => {
  await proxy.close();
  await upstream.close();
  await sandbox.close();
});

async function forwarded(headers: Record<string, string | string[]>, key = live.key) {
  const res = await sendRequest(`${proxy.url}/api/v1/contacts?provider=hubspot`, {
    headers: { authorization: `Bearer ${key}`, ...headers },
  });
  expect(res.status).toBe(200);
  return { res, seen: (key === test.key ? sandbox : upstream).requests.at(-1)! };
}

describe('upstream response headers', () => {
  it('drops what the upstream nominates as hop-by-hop and keeps our RateLimit and request id', async () => {
    const hop = await startRecordingUpstream({
      handler: (_req, res) => {
        res.writeHead(200, {
          connection: 'close, X-Upstream-Hop',
          'x-upstream-hop': 'secret',
          'keep-alive': 'timeout=1',
          'ratelimit-limit': '999',
          'x-request-id': 'upstream-id',
          'x-app': 'kept',
        });
        res.end('{}');
      },
    });
    const own = await startProxy({ upstreamUrl: hop.url });
    try {
      own.verifier.add(live.key, { environment: 'live' });
      const res = await sendRequest(`${own.url}/x`, {
        headers: { authorization: `Bearer ${live.key}`, connection: 'keep-alive', 'x-request-id': 'mine' },
      });
      expect(res.headers['x-upstream-hop']).toBeUndefined();
      expect(res.headers['keep-alive']).not.toBe('timeout=1');
      expect(res.headers.connection).toBe('keep-alive');
      expect(res.headers['ratelimit-limit']).toBe('100');
      expect(res.headers['x-request-id']).toBe('mine');
      expect(res.headers['x-app']).toBe('kept');
    } finally {
      await own.close();
      await hop.close();
    }
  });
});

describe('forwarding', () => {
  it('does not forward the credential and adds the identity headers', async () => {
    const { seen } = await forwarded({});
    expect(seen.url).toBe('/api/v1/contacts?provider=hubspot');
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers).toMatchObject({
      'x-routemcp-key-id': liveRecord.id,
      'x-routemcp-account-id': 'acct_live',
      'x-routemcp-environment': 'live',
    });
  });

  it('strips spoofed identity headers, including underscore variants', async () => {
    const { seen } = await forwarded({
      'X-RouteMCP-Key-Id': 'key_spoof',
      X_RouteMCP_Key_Id: 'key_spoof',
      'X-RouteMCP-Account-Id': 'acct_spoof',
    });
    expect(seen.headers['x-routemcp-key-id']).toBe(liveRecord.id);
    expect(seen.headers['x-routemcp-account-id']).toBe('acct_live');
    expect(seen.headers).not.toHaveProperty('x_routemcp_key_id');
  });

  it('removes Connection-nominated headers', async () => {
    const { seen } = await forwarded({ connection: 'X-Internal-Debug', 'x-internal-debug': '1', 'x-kept': 'yes' });
    expect(seen.headers['x-internal-debug']).toBeUndefined();
    expect(seen.headers['x-kept']).toBe('yes');
  });

  it("keeps the proxy's own headers when Connection nominates them", async () => {
    const { seen } = await forwarded({ connection: 'close, X-RouteMCP-Key-Id, X-Request-Id' });
    expect(seen.headers['x-routemcp-key-id']).toBe(liveRecord.id);
    expect(seen.headers['x-request-id']).toBeDefined();
  });

  it('replaces X-Forwarded-For and drops Forwarded', async () => {
    const { seen } = await forwarded({ 'x-forwarded-for': '203.0.113.9', forwarded: 'for=203.0.113.9' });
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers.forwarded).toBeUndefined();
  });

  it('keeps a valid request id and echoes it', async () => {
    const { res, seen } = await forwarded({ 'x-request-id': 'trace-123' });
    expect(seen.headers['x-request-id']).toBe('trace-123');
    expect(res.headers['x-request-id']).toBe('trace-123');
  });

  it('replaces an invalid request id with a generated one, echoed too', async () => {
    const { res, seen } = await forwarded({ 'x-request-id': 'bad id with spaces' });
    expect(seen.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-request-id']).toBe(seen.headers['x-request-id']);
  });

  it('echoes the request id on refusals too', async () => {
    const res = await sendRequest(`${proxy.url}/api/v1/contacts`, { headers: { 'x-request-id': 'refused-1' } });
    expect(res.status).toBe(401);
    expect(res.headers['x-request-id']).toBe('refused-1');
  });

  it('routes test keys to the sandbox upstream', async () => {
    const before = upstream.requests.length;
    const { seen } = await forwarded({}, test.key);
    expect(seen.headers['x-routemcp-environment']).toBe('test');
    expect(seen.headers['x-routemcp-account-id']).toBe('acct_sandbox');
    expect(upstream.requests.length).toBe(before);
  });

  it('forwards request bodies, chunked ones included', async () => {
    const body = JSON.stringify({ name: 'Ada' });
    await sendRequest(`${proxy.url}/api/v1/contacts`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${live.key}`,
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
      },
      body,
    });
    expect(upstream.requests.at(-1)).toMatchObject({ method: 'POST', body });
  });

  it('serves a non-websocket Upgrade offer (h2c) as plain HTTP without forwarding it', async () => {
    const { seen } = await forwarded({
      connection: 'Upgrade, HTTP2-Settings',
      upgrade: 'h2c',
      'http2-settings': 'AAMAAABk',
    });
    expect(seen.headers.upgrade).toBeUndefined();
    expect(seen.headers['http2-settings']).toBeUndefined();
  });

  it("decides the client connection's persistence itself", async () => {
    expect((await forwarded({ connection: 'close' })).res.headers.connection).toBe('close');
    expect((await forwarded({ connection: 'keep-alive' })).res.headers.connection).toBe('keep-alive');
  });

  it('reuses upstream connections', async () => {
    const before = upstream.connections();
    for (let i = 0; i < 5; i++) await forwarded({});
    expect(upstream.connections() - before).toBeLessThanOrEqual(1);
  });
});
