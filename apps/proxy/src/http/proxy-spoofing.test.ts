import { makeTestKey } from '@routemcp/api-key/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type ProxyHarness } from '../testing/proxy-harness.ts';
import { parseResponses, rawExchange } from '../testing/raw-http.ts';
import { startRecordingUpstream, type RecordingUpstream } from '../testing/recording-upstream.ts';

const key = makeTestKey('live').key;
const INVALID = '{"success":false,"statusCode":401,"message":"Invalid or missing API key","code":"INVALID_API_KEY"}';

let upstream: RecordingUpstream;
let proxy: ProxyHarness;
let keyId: string;
beforeAll(async () => {
  upstream = await startRecordingUpstream();
  proxy = await startProxy({ upstreamUrl: upstream.url });
  keyId = proxy.verifier.add(key, { environment: 'live', accountId: 'acct_real' }).id;
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

/** One request on a raw socket, header names spelled exactly as given; returns what the upstream received. */
async function forwarded(lines: string) {
  const seen = upstream.requests.length;
  const { text } = await rawExchange(
    proxy.url,
    `GET /api/v1/contacts HTTP/1.1\r\nHost: api.example\r\nAuthorization: Bearer ${key}\r\n${lines}\r\n`,
  );
  expect(parseResponses(text).map((r) => r.status)).toEqual([200]);
  expect(upstream.requests.length).toBe(seen + 1);
  return upstream.requests.at(-1)!.headers;
}

describe('header spoofing on the wire', () => {
  it('replaces identity and forwarding headers in any case or underscore spelling', async () => {
    const headers = await forwarded(
      [
        'X-RouteMCP-Key-Id: key_evil',
        'x_routemcp_key_id: key_evil',
        'X-ROUTEMCP-ACCOUNT-ID: acct_evil',
        'X_RouteMCP_Account_Id: acct_evil',
        'x-routemcp-environment: test',
        'X-RouteMCP-Admin: true',
        'X-Forwarded-For: 6.6.6.6',
        'X_Forwarded_For: 6.6.6.6',
        'X-Forwarded-Host: evil.example',
        'X-Forwarded-Proto: https',
        'X-Forwarded-Prefix: /admin',
        'Forwarded: for=6.6.6.6;host=evil.example;proto=https',
        'Proxy-Authorization: Basic ZXZpbDpldmls',
        'X-Real-IP: 6.6.6.6',
        'X_Real_IP: 6.6.6.6',
        'True-Client-IP: 6.6.6.6',
        'CF-Connecting-IP: 6.6.6.6',
        'Connection: close',
        '',
      ].join('\r\n'),
    );
    expect(headers).toMatchObject({
      'x-routemcp-key-id': keyId,
      'x-routemcp-account-id': 'acct_real',
      'x-routemcp-environment': 'live',
      'x-forwarded-for': '127.0.0.1',
      'x-real-ip': '127.0.0.1',
      'x-forwarded-host': 'api.example',
      'x-forwarded-proto': 'http',
    });
    const names = Object.keys(headers);
    expect(names.filter((name) => name.includes('_'))).toEqual([]);
    expect(names).not.toContain('forwarded');
    expect(names).not.toContain('x-forwarded-prefix');
    expect(names).not.toContain('x-routemcp-admin');
    expect(names).not.toContain('proxy-authorization');
    expect(names).not.toContain('authorization');
    expect(JSON.stringify(headers)).not.toMatch(/evil|6\.6\.6\.6|acct_evil/);
  });

  it("keeps the proxy's own headers when Connection nominates them, and drops the other nominees", async () => {
    const headers = await forwarded(
      'Connection: close, X-RouteMCP-Key-Id, x-routemcp-account-id, X-Forwarded-For, X-Request-Id, X-Drop-Me\r\nX-Drop-Me: 1\r\n',
    );
    expect(headers).toMatchObject({
      'x-routemcp-key-id': keyId,
      'x-routemcp-account-id': 'acct_real',
      'x-forwarded-for': '127.0.0.1',
    });
    expect(headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(headers['x-drop-me']).toBeUndefined();
  });
});

describe('credentials anywhere but one Bearer header', () => {
  const basic = Buffer.from(`${key}:`).toString('base64');
  it.each([
    ['the key in the query string', '/api/v1/contacts?api_key=KEY', ''],
    ['the key as access_token', '/api/v1/contacts?access_token=KEY', ''],
    ['the key in a cookie', '/', 'Cookie: api_key=KEY\r\n'],
    ['the key in X-API-Key', '/', 'X-API-Key: KEY\r\n'],
    ['the key in Proxy-Authorization', '/', 'Proxy-Authorization: Bearer KEY\r\n'],
    ['the Token scheme', '/', 'Authorization: Token KEY\r\n'],
    ['the Basic scheme', '/', `Authorization: Basic ${basic}\r\n`],
    ['the Digest scheme', '/', 'Authorization: Digest username="KEY"\r\n'],
    ['a tab after Bearer', '/', 'Authorization: Bearer\tKEY\r\n'],
    ['Bearer=', '/', 'Authorization: Bearer=KEY\r\n'],
    ['a quoted key', '/', 'Authorization: Bearer "KEY"\r\n'],
    ['a trailing comma', '/', 'Authorization: Bearer KEY,\r\n'],
    ['two Authorization headers', '/', 'Authorization: Bearer KEY\r\nauthorization: Bearer KEY\r\n'],
    ['a bad one before a good one', '/', 'Authorization: Bearer nope\r\nAuthorization: Bearer KEY\r\n'],
  ])('401 for %s, nothing upstream, the key nowhere in the logs', async (_name, path, lines) => {
    const seen = upstream.requests.length;
    const data = `GET ${path.replace('KEY', key)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${lines.replaceAll('KEY', key)}\r\n`;
    const { text } = await rawExchange(proxy.url, data);
    expect(parseResponses(text)).toMatchObject([{ status: 401, body: INVALID }]);
    expect(upstream.requests.length).toBe(seen);
    expect(proxy.logs.join('\n')).not.toContain(key.slice(8));
  });
});
