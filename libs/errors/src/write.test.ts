import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { rawErrorResponse, writeError, writeSuccess } from './write.ts';

let server: Server | undefined;
afterEach(() => server?.close());

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('writeError', () => {
  it('answers the status, JSON type and envelope, with extra headers', async () => {
    const url = await serve((_req, res) => writeError(res, 'RATE_LIMITED', { headers: { 'retry-after': '3' } }));
    const res = await fetch(url);
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toEqual({
      success: false,
      statusCode: 429,
      message: 'Too many requests',
      code: 'RATE_LIMITED',
    });
  });

  it('takes the extra headers as a flat name/value array too', async () => {
    const url = await serve((_req, res) =>
      writeError(res, 'RATE_LIMITED', { headers: ['retry-after', '3', 'x-request-id', 'r-1'] }),
    );
    const res = await fetch(url);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(res.headers.get('x-request-id')).toBe('r-1');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('refuses to write twice', async () => {
    const results: boolean[] = [];
    const url = await serve((_req, res) => {
      results.push(writeError(res, 'NOT_FOUND'), writeError(res, 'INTERNAL_ERROR'));
    });
    const res = await fetch(url);
    expect(res.status).toBe(404);
    expect(results).toEqual([true, false]);
  });
});

describe('writeSuccess', () => {
  it('answers the success shape', async () => {
    const url = await serve((_req, res) => writeSuccess(res, { id: 'x' }, { statusCode: 201 }));
    const res = await fetch(url);
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('{"success":true,"data":{"id":"x"}}');
  });
});

describe('rawErrorResponse', () => {
  it('is a complete HTTP response whose length matches its body', () => {
    const raw = rawErrorResponse('HEADERS_TOO_LARGE');
    const [head, body] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body!)}`);
    expect(head).toContain('Connection: close');
    expect(JSON.parse(body!).code).toBe('HEADERS_TOO_LARGE');
  });

  it('names every status and carries extra headers before the body', () => {
    const raw = rawErrorResponse('RATE_LIMITED', { headers: { 'Retry-After': 3 } });
    expect(raw).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\nRetry-After: 3\r\n/);
    expect(rawErrorResponse('INVALID_API_KEY')).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
    expect(rawErrorResponse('UPSTREAM_TIMEOUT')).toMatch(/^HTTP\/1\.1 504 Gateway Timeout\r\n/);
  });
});
