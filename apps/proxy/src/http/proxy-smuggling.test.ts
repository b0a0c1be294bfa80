import { makeTestKey } from '@routemcp/api-key/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type ProxyHarness } from '../testing/proxy-harness.ts';
import { parseResponses, rawExchange } from '../testing/raw-http.ts';
import { startRecordingUpstream, type RecordingUpstream } from '../testing/recording-upstream.ts';

const key = makeTestKey('live').key;
const BAD_REQUEST = '{"success":false,"statusCode":400,"message":"Bad request","code":"BAD_REQUEST"}';
/** What an attacker hopes the upstream reads as a second, unauthenticated request. */
const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';
const head = (lines: string, version = 'HTTP/1.1') =>
  `POST /api/v1/contacts ${version}\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n${lines}\r\n`;

let upstream: RecordingUpstream;
let proxy: ProxyHarness;
beforeAll(async () => {
  upstream = await startRecordingUpstream();
  proxy = await startProxy({ upstreamUrl: upstream.url });
  proxy.verifier.add(key, { environment: 'live' });
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

/**
 * Each message carries a valid key, so the framing is the only reason to
 * refuse it. The proxy must answer one 400 envelope and close, and nothing
 * may reach the upstream: neither the outer request nor the smuggled one.
 */
describe('request smuggling and malformed framing', () => {
  it.each([
    ['CL.TE', head('Content-Length: 6\r\nTransfer-Encoding: chunked\r\n') + `0\r\n\r\n${SMUGGLED}`],
    ['TE.CL', head('Transfer-Encoding: chunked\r\nContent-Length: 4\r\n') + `5c\r\n${SMUGGLED}\r\n0\r\n\r\n`],
    ['duplicate Content-Length', head('Content-Length: 0\r\nContent-Length: 0\r\n') + SMUGGLED],
    ['conflicting Content-Length', head('Content-Length: 0\r\nContent-Length: 36\r\n') + SMUGGLED],
    ['comma-joined Content-Length', head('Content-Length: 0, 36\r\n') + SMUGGLED],
    ['Content-Length +10', head('Content-Length: +10\r\n') + '0123456789'],
    ['Content-Length 0x10', head('Content-Length: 0x10\r\n') + '0123456789abcdef'],
    ['Content-Length -1', head('Content-Length: -1\r\n') + SMUGGLED],
    ['Content-Length overflow', head('Content-Length: 18446744073709551617\r\n') + SMUGGLED],
    ['Transfer-Encoding: xchunked', head('Transfer-Encoding: xchunked\r\n') + `0\r\n\r\n${SMUGGLED}`],
    ['Transfer-Encoding: chunked, chunked', head('Transfer-Encoding: chunked, chunked\r\n') + `0\r\n\r\n${SMUGGLED}`],
    ['two Transfer-Encoding lines', head('Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n') + '0\r\n\r\n'],
    ['Transfer-Encoding: gzip, chunked', head('Transfer-Encoding: gzip, chunked\r\n') + `0\r\n\r\n${SMUGGLED}`],
    ['Transfer-Encoding: identity', head('Transfer-Encoding: identity\r\n') + `0\r\n\r\n${SMUGGLED}`],
    ['chunked on HTTP/1.0', head('Transfer-Encoding: chunked\r\n', 'HTTP/1.0') + `0\r\n\r\n${SMUGGLED}`],
    ['a space before the colon', head('Transfer-Encoding : chunked\r\nContent-Length: 0\r\n') + SMUGGLED],
    ['a space before the colon of Authorization', 'GET / HTTP/1.1\r\nHost: x\r\nAuthorization : Bearer x\r\n\r\n'],
    ['a control byte in a value', head('Content-Length: 0\r\nX-A: a\x01b\r\n') + SMUGGLED],
    ['DEL in a value', head('Content-Length: 0\r\nX-A: a\x7fb\r\n') + SMUGGLED],
    ['NUL in a value', head('Content-Length: 0\r\nX-A: a\x00b\r\n') + SMUGGLED],
    ['NUL in the path', `GET /api\x00/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n\r\n`],
    ['obs-fold', head('Content-Length: 0\r\nX-A: a\r\n Transfer-Encoding: chunked\r\n') + SMUGGLED],
    ['a bare CR', head('Content-Length: 0\rTransfer-Encoding: chunked\r\n') + SMUGGLED],
    ['a bare LF in the header block', head('Content-Length: 0\nTransfer-Encoding: chunked\r\n') + SMUGGLED],
    ['bare LFs only', `GET / HTTP/1.1\nHost: x\nAuthorization: Bearer ${key}\n\n`],
    ['a bad chunk size', head('Transfer-Encoding: chunked\r\n') + `zz\r\nabc\r\n0\r\n\r\n`],
    ['a bare LF after a chunk size', head('Transfer-Encoding: chunked\r\n') + `3\nabc\n0\n\n`],
    ['two Host headers', `GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nAuthorization: Bearer ${key}\r\n\r\n`],
    ['HTTP/2.0 on an HTTP/1 connection', `GET / HTTP/2.0\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n\r\n`],
    ['HTTP/1.1 without Host', `GET / HTTP/1.1\r\nAuthorization: Bearer ${key}\r\n\r\n`],
  ])('%s → 400 envelope, connection closed, upstream untouched', async (_name, data) => {
    const before = upstream.connections();
    const seen = upstream.requests.length;
    const { text, closed } = await rawExchange(proxy.url, data);
    const responses = parseResponses(text);
    expect(responses.map((r) => r.status)).toEqual([400]);
    expect(responses[0]!.body).toBe(BAD_REQUEST);
    expect(closed).toBe(true);
    expect(upstream.connections()).toBe(before);
    expect(upstream.requests.slice(seen)).toEqual([]);
  });

  it('still serves a well-framed chunked request (the refusals above are not blanket)', async () => {
    const { text } = await rawExchange(
      proxy.url,
      head('Transfer-Encoding: chunked\r\nConnection: close\r\n') + '3\r\nabc\r\n0\r\n\r\n',
    );
    expect(parseResponses(text).map((r) => r.status)).toEqual([200]);
    expect(upstream.requests.slice(-1)).toMatchObject([{ url: '/api/v1/contacts', body: 'abc' }]);
  });
});
