import { makeTestKey } from '@routemcp/api-key/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy } from '../testing/proxy-harness.ts';
import { parseResponses, rawExchange } from '../testing/raw-http.ts';
import { startRecordingUpstream } from '../testing/recording-upstream.ts';

const key = makeTestKey('live').key;
const unknown = makeTestKey('live').key;
const INVALID = '{"success":false,"statusCode":401,"message":"Invalid or missing API key","code":"INVALID_API_KEY"}';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(env: Record<string, string> = {}) {
  const upstream = await startRecordingUpstream();
  cleanups.push(() => upstream.close());
  const proxy = await startProxy({ upstreamUrl: upstream.url, env });
  cleanups.push(() => proxy.close());
  proxy.verifier.add(key, { environment: 'live' });
  return { upstream, proxy };
}

const get = (path: string, lines = '', version = 'HTTP/1.1') => `GET ${path} ${version}\r\nHost: x\r\n${lines}\r\n`;
const bearer = (k: string) => `Authorization: Bearer ${k}\r\n`;

describe('pipelining: auth is per request, never per connection', () => {
  it('answers a valid, then an unknown-key, then a keyless request on one connection with 200, 401, 401', async () => {
    const { proxy, upstream } = await setup();
    const { text } = await rawExchange(
      proxy.url,
      get('/a', bearer(key)) + get('/b', bearer(unknown)) + get('/c', 'Connection: close\r\n'),
    );
    const responses = parseResponses(text);
    expect(responses.map((r) => r.status)).toEqual([200, 401, 401]);
    expect(responses.slice(1).map((r) => r.body)).toEqual([INVALID, INVALID]);
    expect(upstream.requests.map((r) => r.url)).toEqual(['/a']);
  });

  it('does not let a refused request poison the next one: 401 then 200', async () => {
    const { proxy, upstream } = await setup();
    const { text } = await rawExchange(
      proxy.url,
      get('/a', bearer(unknown)) + get('/b', bearer(key) + 'Connection: close\r\n'),
    );
    expect(parseResponses(text).map((r) => r.status)).toEqual([401, 200]);
    expect(upstream.requests.map((r) => r.url)).toEqual(['/b']);
    expect(upstream.requests[0]!.headers['x-routemcp-key-id']).toBeDefined();
  });

  it('a malformed request pipelined after a valid one gets a 400 and a close; only the valid one went upstream', async () => {
    const { proxy, upstream } = await setup();
    const { text, closed } = await rawExchange(
      proxy.url,
      get('/a', bearer(key)) + 'GET /b HTTP/1.1\r\nHost: x\r\nX: \x00\r\n\r\n',
    );
    expect(closed).toBe(true);
    expect(parseResponses(text).at(-1)!.status).toBe(400);
    expect(upstream.requests.map((r) => r.url).filter((url) => url !== '/a')).toEqual([]);
  });
});

describe('protocol versions', () => {
  it('serves HTTP/1.0 without Host when the key is valid, and refuses it without a key', async () => {
    const { proxy, upstream } = await setup();
    const ok = await rawExchange(proxy.url, `GET /a HTTP/1.0\r\n${bearer(key)}\r\n`);
    expect(parseResponses(ok.text).map((r) => r.status)).toEqual([200]);
    expect(ok.closed).toBe(true);
    const refused = await rawExchange(proxy.url, 'GET /b HTTP/1.0\r\n\r\n');
    expect(parseResponses(refused.text)).toMatchObject([{ status: 401, body: INVALID }]);
    expect(upstream.requests.map((r) => r.url)).toEqual(['/a']);
  });

  it('refuses the header-less HTTP/0.9 form', async () => {
    const { proxy, upstream } = await setup();
    const { text, closed } = await rawExchange(proxy.url, 'GET /\r\n\r\n');
    expect(parseResponses(text).map((r) => r.status)).toEqual([400]);
    expect(closed).toBe(true);
    expect(upstream.connections()).toBe(0);
  });
});

describe('request targets', () => {
  it('forwards an absolute-form target in origin-form, its authority as Host, with the same auth as any request', async () => {
    const { proxy, upstream } = await setup({ PUBLIC_PATHS: '/healthz' });
    const { text } = await rawExchange(
      proxy.url,
      get('http://api.example:8080/api/v1/contacts?provider=hubspot', bearer(key)) +
        get('http://api.example/api/v1/contacts', bearer(unknown)) +
        get('http://api.example/healthz', 'Connection: close\r\n'),
    );
    expect(parseResponses(text).map((r) => r.status)).toEqual([200, 401, 200]);
    // Pipelined requests are forwarded concurrently (the public path needs no lookup): compare as a set.
    const seen = upstream.requests.map((r) => [r.url, r.headers.host, r.headers['x-forwarded-host']]);
    expect(seen.sort()).toEqual([
      ['/api/v1/contacts?provider=hubspot', 'api.example:8080', 'api.example:8080'],
      ['/healthz', 'api.example', 'api.example'],
    ]);
  });

  it.each([
    ['a relative path', 'api/v1/contacts'],
    ['another scheme', 'ftp://api.example/api/v1/contacts'],
    ['userinfo', 'http://user:pass@api.example/api/v1/contacts'],
    ['asterisk-form on GET', '*'],
  ])('answers %s with a 400 envelope and forwards nothing', async (_what, target) => {
    const { proxy, upstream } = await setup();
    const { text } = await rawExchange(proxy.url, get(target, bearer(key) + 'Connection: close\r\n'));
    expect(parseResponses(text).map((r) => r.status)).toEqual([400]);
    expect(upstream.connections()).toBe(0);
  });
});

describe('sizes', () => {
  it('answers 431 in the envelope for an oversized header block, before any upstream connection', async () => {
    const { proxy, upstream } = await setup({ MAX_HEADER_BYTES: '4096' });
    const { text, closed } = await rawExchange(proxy.url, get('/', bearer(key) + `X-Big: ${'a'.repeat(8_000)}\r\n`));
    expect(parseResponses(text)).toMatchObject([
      {
        status: 431,
        body: '{"success":false,"statusCode":431,"message":"Request header fields too large","code":"HEADERS_TOO_LARGE"}',
      },
    ]);
    expect(closed).toBe(true);
    expect(upstream.connections()).toBe(0);
  });

  it('answers 413 for a declared body over the limit before reading it or connecting upstream', async () => {
    const { proxy, upstream } = await setup({ MAX_BODY_BYTES: '1000' });
    const data = `POST / HTTP/1.1\r\nHost: x\r\n${bearer(key)}Content-Length: 99999999999\r\n\r\nxxxx`;
    const { text, closed } = await rawExchange(proxy.url, data);
    expect(parseResponses(text)).toMatchObject([{ status: 413, headers: { connection: 'close' } }]);
    expect(JSON.parse(parseResponses(text)[0]!.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(closed).toBe(true);
    expect(upstream.connections()).toBe(0);
  });

  it.each([
    ['a valid key', key, [413]],
    ['an unknown key', unknown, [401, 413]],
  ])(
    'stops at huge chunk extensions (%s): one answer, connection closed, nothing upstream',
    async (_name, k, statuses) => {
      const { proxy, upstream } = await setup();
      // Node caps extensions at 16 KiB per message: the rest of this megabyte is never parsed.
      const data = `POST / HTTP/1.1\r\nHost: x\r\n${bearer(k)}Transfer-Encoding: chunked\r\n\r\n1;${'e'.repeat(1 << 20)}\r\n`;
      const { text, closed } = await rawExchange(proxy.url, data);
      const [response, ...rest] = parseResponses(text);
      expect(rest).toEqual([]);
      expect(statuses).toContain(response!.status);
      expect(closed).toBe(true);
      expect(upstream.requests).toEqual([]);
    },
  );
});

describe('Expect: 100-continue', () => {
  it.each([
    ['an unknown key', bearer(unknown), 401],
    ['no key', '', 401],
    ['a valid key and a body over the limit', bearer(key), 413],
  ])('with %s: answered without a 100 Continue on the wire, and closed', async (_name, auth, status) => {
    const { proxy, upstream } = await setup({ MAX_BODY_BYTES: '10' });
    const length = status === 413 ? 11 : 5;
    const data = `POST / HTTP/1.1\r\nHost: x\r\n${auth}Expect: 100-continue\r\nContent-Length: ${length}\r\n\r\n`;
    const { text, closed } = await rawExchange(proxy.url, data);
    expect(text).not.toContain('100 Continue');
    expect(parseResponses(text).map((r) => r.status)).toEqual([status]);
    expect(closed).toBe(true);
    expect(upstream.connections()).toBe(0);
  });

  it('with a valid key: 100 Continue, then the body goes upstream', async () => {
    const { proxy, upstream } = await setup();
    const data = `POST / HTTP/1.1\r\nHost: x\r\n${bearer(key)}Expect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\n`;
    const { text } = await rawExchange(proxy.url, [data, 'hello']);
    expect(parseResponses(text).map((r) => r.status)).toEqual([100, 200]);
    expect(upstream.requests).toMatchObject([{ body: 'hello' }]);
  });
});
