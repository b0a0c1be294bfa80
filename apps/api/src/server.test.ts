import { once } from 'node:events';
import { request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApiServer } from './server.ts';

let server: Server;
let base: string;
let logLines: Record<string, unknown>[];
let now: number;

beforeEach(async () => {
  logLines = [];
  now = 1_000;
  const logger = pino({ base: { app: 'api' } }, { write: (line: string) => logLines.push(JSON.parse(line)) });
  server = createApiServer({ logger, clock: { now: () => (now += 5) }, maxEchoBytes: 1024 });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

interface Contact {
  id: string;
  company: string;
}

/** The response body, typed as the test expects it to be; the assertions check it. */
async function json<T = { success: boolean; data: Contact[] }>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

const envelope = (statusCode: number, code: string, message: string) => ({ success: false, statusCode, message, code });

describe('GET /api/v1/contacts and /api/v1/contact', () => {
  it.each(['/api/v1/contacts', '/api/v1/contact'])('%s answers the docs shape', async (path) => {
    const response = await fetch(`${base}${path}?provider=hubspot`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await json(response);
    expect(body.success).toBe(true);
    expect(body.data).toHaveLength(5);
    expect(Object.keys(body.data[0] ?? {}).sort()).toEqual(
      ['company', 'createdAt', 'email', 'firstName', 'id', 'lastName', 'phone', 'provider'].sort(),
    );
  });

  it('serves sandbox data when the proxy marks the request as test', async () => {
    const live = await json(await fetch(`${base}/api/v1/contacts?provider=salesforce`));
    const sandbox = await json(
      await fetch(`${base}/api/v1/contacts?provider=salesforce`, { headers: { 'X-RouteMCP-Environment': 'test' } }),
    );
    expect(sandbox.data.every((contact) => contact.id.startsWith('test_'))).toBe(true);
    expect(live.data.some((contact) => contact.id.startsWith('test_'))).toBe(false);
  });

  it('applies limit and q', async () => {
    const body = await json(await fetch(`${base}/api/v1/contacts?provider=pipedrive&limit=1`));
    expect(body.data).toHaveLength(1);
    const found = await json(await fetch(`${base}/api/v1/contacts?provider=pipedrive&q=tanuki`));
    expect(found.data.map((contact) => contact.company)).toEqual(['Tanuki Games']);
  });

  it('answers 400 without a provider, in the exact envelope', async () => {
    const response = await fetch(`${base}/api/v1/contacts`);
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(
      JSON.stringify(envelope(400, 'BAD_REQUEST', 'provider is required (hubspot, salesforce or pipedrive)')),
    );
  });

  it('answers 400 naming an unknown provider', async () => {
    const response = await fetch(`${base}/api/v1/contact?provider=zoho`);
    expect(response.status).toBe(400);
    expect((await json<{ message: string }>(response)).message).toContain('"zoho"');
  });

  it('answers 405 with Allow for other methods', async () => {
    const response = await fetch(`${base}/api/v1/contacts?provider=hubspot`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(await response.json()).toEqual(envelope(405, 'METHOD_NOT_ALLOWED', 'Method not allowed'));
  });

  it('ignores Authorization entirely', async () => {
    const response = await fetch(`${base}/api/v1/contacts?provider=hubspot`, {
      headers: { Authorization: 'Bearer not-a-key' },
    });
    expect(response.status).toBe(200);
  });
});

describe('other routes', () => {
  it('GET /healthz is ok', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(await response.text()).toBe('{"success":true,"data":{"status":"ok"}}');
  });

  it('unknown paths are 404 in the envelope', async () => {
    const response = await fetch(`${base}/api/v2/nothing`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual(envelope(404, 'NOT_FOUND', 'Not found'));
  });

  it('whoami repeats the identity headers it received, null when absent', async () => {
    const headers = {
      'X-RouteMCP-Key-Id': 'key_123',
      'X-RouteMCP-Account-Id': 'acct_9',
      'X-RouteMCP-Environment': 'test',
      'X-Request-Id': 'req-1',
    };
    const body = await (await fetch(`${base}/api/v1/whoami`, { headers })).json();
    expect(body).toEqual({
      success: true,
      data: { keyId: 'key_123', accountId: 'acct_9', environment: 'test', requestId: 'req-1' },
    });
    const bare = await json<{ data: unknown }>(await fetch(`${base}/api/v1/whoami`));
    expect(bare.data).toEqual({ keyId: null, accountId: null, environment: null, requestId: null });
  });

  it('echo reports method, headers and body length', async () => {
    const response = await fetch(`${base}/api/v1/echo?x=1`, {
      method: 'POST',
      headers: { 'X-Custom': 'yes', 'content-type': 'text/plain' },
      body: 'hello world',
    });
    const { data } = await json<{ data: Record<string, unknown> & { headers: Record<string, string> } }>(response);
    expect(data.method).toBe('POST');
    expect(data.url).toBe('/api/v1/echo?x=1');
    expect(data.headers['x-custom']).toBe('yes');
    expect(data.rawHeaders).toContain('X-Custom');
    expect(data.bodyLength).toBe(11);
  });

  it('echo counts a streamed body and refuses one over the cap with 413', async () => {
    const ok = await json<{ data: unknown }>(
      await fetch(`${base}/api/v1/echo`, { method: 'PUT', body: 'x'.repeat(1024) }),
    );
    expect(ok.data).toMatchObject({ method: 'PUT', bodyLength: 1024 });

    const declared = await fetch(`${base}/api/v1/echo`, { method: 'POST', body: 'x'.repeat(1025) });
    expect(declared.status).toBe(413);
    expect((await json<{ code: string }>(declared)).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('echo answers 413 when a chunked body passes the cap', async () => {
    const req = request(`${base}/api/v1/echo`, { method: 'POST' });
    req.write('x'.repeat(2048));
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    expect(res.statusCode).toBe(413);
    res.resume();
    req.destroy();
  });

  it('answers 400 in the envelope to a malformed request line', async () => {
    const { connect } = await import('node:net');
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    socket.end('NOT HTTP\r\n\r\n');
    let raw = '';
    for await (const chunk of socket) raw += String(chunk);
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    expect(raw).toContain('"code":"BAD_REQUEST"');
  });
});

describe('request log', () => {
  it('writes one line per request with status and clock duration, without query or credentials', async () => {
    await fetch(`${base}/api/v1/contacts?provider=hubspot&q=secret-ish`, {
      headers: { Authorization: 'Bearer should-never-be-logged', 'X-Request-Id': 'req-42' },
    });
    await vi.waitFor(() => expect(logLines).toHaveLength(1));
    expect(logLines[0]).toMatchObject({
      app: 'api',
      msg: 'request',
      method: 'GET',
      path: '/api/v1/contacts',
      statusCode: 200,
      durationMs: 5,
      requestId: 'req-42',
      completed: true,
    });
    const line = JSON.stringify(logLines[0]);
    expect(line).not.toContain('should-never-be-logged');
    expect(line).not.toContain('secret-ish');
  });
});
