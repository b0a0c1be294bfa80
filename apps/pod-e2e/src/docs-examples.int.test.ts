import { makeTestKey } from '@routemcp/api-key/testing';
import { errorBody } from '@routemcp/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, request } from './http-client.ts';
import type { CreatedKey } from './keystore-admin.ts';
import { startStack, type Stack } from './stack.ts';

let stack: Stack;
let live: CreatedKey;
let test: CreatedKey;

beforeAll(async () => {
  stack = await startStack();
  [live, test] = await Promise.all([
    stack.admin.createKey({ environment: 'live', name: 'docs live' }),
    stack.admin.createKey({ environment: 'test', name: 'docs test' }),
  ]);
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

describe('the docs examples, against the pod', () => {
  it('curl /api/v1/contact?provider=hubspot with a live key → 200 and data', async () => {
    const res = await request(`${stack.baseUrl}/api/v1/contact?provider=hubspot`, { headers: bearer(live.key) });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { success: boolean; data: unknown };
    expect(body.success).toBe(true);
    expect(Array.isArray(body.data)).toBe(true);
    expect(body.data).not.toHaveLength(0);
  });

  it('python requests /api/v1/contacts with params → 200 and data', async () => {
    const res = await request(`${stack.baseUrl}/api/v1/contacts?provider=hubspot`, { headers: bearer(test.key) });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ success: true, data: expect.any(Array) });
  });

  it('fetch, as the docs write it: const { data } = await response.json()', async () => {
    const response = await fetch(`${stack.baseUrl}/api/v1/contact?provider=hubspot`, {
      headers: { Authorization: `Bearer ${live.key}` },
    });
    const { data } = (await response.json()) as { data: unknown };
    expect(response.status).toBe(200);
    expect(Array.isArray(data)).toBe(true);
  });

  it('adds the rate-limit headers to proxied responses', async () => {
    const res = await request(`${stack.baseUrl}/api/v1/contacts?provider=hubspot`, { headers: bearer(live.key) });
    expect(res.headers['ratelimit-limit']).toMatch(/^\d+$/);
    expect(res.headers['ratelimit-remaining']).toMatch(/^\d+$/);
    expect(res.headers['ratelimit-reset']).toMatch(/^\d+$/);
  });

  it.each([
    ['no Authorization header', {}],
    ['a malformed key', bearer('sk_live_not-a-real-key')],
    ['a well-formed key nobody issued', bearer(makeTestKey('live').key)],
    ['another scheme', { authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` }],
  ])('%s → the exact 401 envelope', async (_case, headers) => {
    const res = await request(`${stack.baseUrl}/api/v1/contact?provider=hubspot`, { headers });
    expect(res.status).toBe(401);
    expect(res.body).toBe(errorBody('INVALID_API_KEY'));
    expect(res.body).toBe(
      '{"success":false,"statusCode":401,"message":"Invalid or missing API key","code":"INVALID_API_KEY"}',
    );
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });

  it('reaches the api only through the proxy: it listens on the pod loopback', async () => {
    const direct = `http://${stack.api.getIpAddress(stack.network.getName())}:5002/api/v1/contacts?provider=hubspot`;
    await expect(request(direct, { timeoutMs: 2000 })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('serves health and metrics on the admin port', async () => {
    expect((await request(`${stack.adminUrl}/healthz`)).status).toBe(200);
    const metrics = await request(`${stack.adminUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).not.toContain(live.key);
    expect(metrics.body).not.toContain(test.key);
  });
});
