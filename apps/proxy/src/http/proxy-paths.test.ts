import { connect } from 'node:net';
import { makeTestKey } from '@routemcp/api-key/testing';
import { pathPart, plainPathProblem } from '@routemcp/internal-api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE, PERMISSIONS, permitted } from '../testing/hostile-targets.ts';
import { startProxy, type ProxyHarness } from '../testing/proxy-harness.ts';
import { parseResponses, rawExchange } from '../testing/raw-http.ts';
import { startRecordingUpstream, type RecordingUpstream } from '../testing/recording-upstream.ts';

/**
 * The differential suite of "forward exactly what was checked": hostile
 * request targets, sent as raw bytes, with a key that may only read
 * `/public/**` and `/api/v1/contacts`. Each is either refused before any
 * upstream connection, or the upstream receives a plain path the key's
 * permissions allow, in the canonical form the proxy checked.
 */
const key = makeTestKey('live').key;

let upstream: RecordingUpstream;
let proxy: ProxyHarness;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  proxy = await startProxy({ upstreamUrl: upstream.url });
  proxy.verifier.add(key, { environment: 'live', permissions: PERMISSIONS });
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

/** What the upstream received for one exchange: every target it saw. */
function drained(): string[] {
  return upstream.requests.splice(0).map((r) => r.url);
}

function expectForwardedAsChecked(target: string, expected: 400 | 403 | string, status: number, seen: string[]) {
  if (typeof expected === 'number') {
    expect({ target, status, seen }).toEqual({ target, status: expected, seen: [] });
    return;
  }
  expect({ target, seen }).toEqual({ target, seen: [expected] });
  expect(plainPathProblem(seen[0]!)).toBeNull();
  expect(permitted(pathPart(seen[0]!))).toBe(true);
}

describe('hostile request targets over HTTP', () => {
  it(`has at least 30 of them`, () => {
    expect(HOSTILE.length).toBeGreaterThanOrEqual(30);
  });

  it.each(HOSTILE)('%s: refused, or forwarded as the plain path that was checked', async (target, expected) => {
    drained();
    const { text } = await rawExchange(
      proxy.url,
      `GET ${target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nConnection: close\r\n\r\n`,
    );
    const [response] = parseResponses(text);
    expectForwardedAsChecked(target, expected, response?.status ?? 0, drained());
    if (response!.status === 400) expect(JSON.parse(response!.body)).toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('the refusal', () => {
  it('is the 400 envelope, labelled BAD_PATH in the access log, and closes the connection', async () => {
    drained();
    const { text, closed } = await rawExchange(
      proxy.url,
      `GET /api/v1/deals/..;/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n\r\n`,
    );
    expect(parseResponses(text)).toMatchObject([
      {
        status: 400,
        body: '{"success":false,"statusCode":400,"message":"Bad request","code":"BAD_REQUEST"}',
      },
    ]);
    expect(closed).toBe(true);
    const line = JSON.parse(proxy.logs.at(-1)!) as { status: number; outcome: string; keyId: string | null };
    expect(line).toMatchObject({ status: 400, outcome: 'BAD_PATH', keyId: null });
    expect(drained()).toEqual([]);
  });
});

/** Sends an upgrade handshake and resolves with the response's status once its head is in (the tunnel stays unused). */
function upgradeStatus(target: string, extraHeaders = ''): Promise<number> {
  const { port } = new URL(proxy.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () =>
      socket.write(
        Buffer.from(
          `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
            'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
            `Authorization: Bearer ${key}\r\n${extraHeaders}\r\n`,
          'latin1',
        ),
      ),
    );
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (!received.includes('\r\n\r\n')) return;
      socket.destroy();
      resolve(Number(received.split(' ')[1]));
    });
    socket.on('close', () => resolve(Number(received.split(' ')[1] ?? 0)));
    socket.on('error', reject);
  });
}

describe('hostile request targets on WebSocket upgrades', () => {
  it.each(HOSTILE)('%s: refused, or tunnelled to the plain path that was checked', async (target, expected) => {
    drained();
    const status = await upgradeStatus(target);
    // http-proxy-3 joins the upstream's path and ours with a query of its own making, which drops an empty one.
    const tunnelled = typeof expected === 'string' && expected.endsWith('?') ? expected.slice(0, -1) : expected;
    expectForwardedAsChecked(target, tunnelled, status, drained());
    if (typeof expected === 'string') expect(status).toBe(101);
  });
});

/**
 * Headers that make an upstream stack run another method or route than the
 * request line says (Express method-override, Rack, Laravel, Symfony, IIS
 * URL Rewrite, nginx/Traefik forward-auth conventions).
 */
const OVERRIDES = [
  'X-HTTP-Method-Override',
  'X-HTTP-Method',
  'X-Method-Override',
  'X-Original-URL',
  'X-Rewrite-URL',
  'X-Original-URI',
  'X-Original-Method',
  'X-Forwarded-Uri',
  'X-Forwarded-Method',
];
const overrideValue = (name: string) => (/method/i.test(name) ? 'DELETE' : '/api/v1/deals');

describe('method and URL override headers', () => {
  it.each(OVERRIDES)('never forwards %s on a GET-only key’s request, in any spelling', async (name) => {
    drained();
    const spellings = [name, name.toLowerCase(), name.replaceAll('-', '_')];
    const lines = spellings.map((spelling) => `${spelling}: ${overrideValue(name)}\r\n`).join('');
    const { text } = await rawExchange(
      proxy.url,
      `GET /api/v1/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n${lines}Connection: close\r\n\r\n`,
    );
    expect(parseResponses(text).map((r) => r.status)).toEqual([200]);
    const [recorded] = upstream.requests.splice(0);
    expect(recorded!.url).toBe('/api/v1/contacts');
    const forwarded = Object.keys(recorded!.headers).map((header) => header.replaceAll('_', '-'));
    expect(forwarded).not.toContain(name.toLowerCase());
  });

  it('never forwards any of them on a WebSocket upgrade', async () => {
    drained();
    const lines = OVERRIDES.map((name) => `${name}: ${overrideValue(name)}\r\n`).join('');
    expect(await upgradeStatus('/public/ws', lines)).toBe(101);
    const [recorded] = upstream.requests.splice(0);
    expect(recorded!.url).toBe('/public/ws');
    const forwarded = Object.keys(recorded!.headers);
    for (const name of OVERRIDES) expect(forwarded).not.toContain(name.toLowerCase());
  });
});

describe('public paths', () => {
  it('are matched on, and forwarded as, the same canonical path, override headers dropped', async () => {
    const publicUpstream = await startRecordingUpstream();
    const open = await startProxy({
      upstreamUrl: publicUpstream.url,
      env: { PUBLIC_PATHS: '/healthz,/docs/openapi.json' },
    });
    try {
      const lines = OVERRIDES.map((name) => `${name}: ${overrideValue(name)}\r\n`).join('');
      const cases: [string, number, string | null][] = [
        ['/healthz', 200, '/healthz'],
        ['/docs/./openapi.json?v=1', 200, '/docs/openapi.json?v=1'],
        ['/docs//openapi.json', 200, '/docs/openapi.json'],
        ['/%68ealthz', 200, '/healthz'],
        ['//healthz', 400, null],
        ['/healthz/..;/api/v1/deals', 400, null],
        ['/healthz/../api/v1/deals', 401, null],
      ];
      for (const [target, status, forwarded] of cases) {
        const { text } = await rawExchange(
          open.url,
          `GET ${target} HTTP/1.1\r\nHost: x\r\n${lines}Connection: close\r\n\r\n`,
        );
        const recorded = publicUpstream.requests.splice(0);
        expect({ target, status: parseResponses(text)[0]?.status, seen: recorded.map((r) => r.url) }).toEqual({
          target,
          status,
          seen: forwarded === null ? [] : [forwarded],
        });
        for (const r of recorded) {
          for (const name of OVERRIDES) expect(Object.keys(r.headers)).not.toContain(name.toLowerCase());
        }
      }
    } finally {
      await open.close();
      await publicUpstream.close();
    }
  });
});
