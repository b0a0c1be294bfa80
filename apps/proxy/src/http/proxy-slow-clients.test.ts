import { connect } from 'node:net';
import { makeTestKey } from '@routemcp/api-key/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sendRequest } from '../testing/http-request.ts';
import { startProxy } from '../testing/proxy-harness.ts';
import { parseResponses, type RawExchange } from '../testing/raw-http.ts';
import { startRecordingUpstream } from '../testing/recording-upstream.ts';

const key = makeTestKey('live').key;
const TIMED_OUT = '{"success":false,"statusCode":408,"message":"Request timed out","code":"REQUEST_TIMEOUT"}';
/** Small server timeouts, so the test takes a second or two and never depends on the defaults. */
const TIMEOUTS = { HEADERS_TIMEOUT_MS: '400', REQUEST_TIMEOUT_MS: '800' };
/** Bounds the test, never asserted: a connection still open after this is a failure. */
const BOUND_MS = 5_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup() {
  const upstream = await startRecordingUpstream();
  cleanups.push(() => upstream.close());
  const proxy = await startProxy({ upstreamUrl: upstream.url, env: TIMEOUTS });
  cleanups.push(() => proxy.close());
  proxy.verifier.add(key, { environment: 'live' });
  return { upstream, proxy };
}

/**
 * Opens a connection, writes `first`, then one more byte of `drip` every
 * `everyMs` until the server closes the connection (or the bound is reached).
 */
function trickle(url: string, first: string, drip: string, everyMs = 50): Promise<RawExchange> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let at = 0;
    let timer: NodeJS.Timeout | undefined;
    // The drip starts once `first` is queued, so its bytes can never overtake the request line.
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(first);
      timer = setInterval(() => {
        if (at < drip.length && socket.writable) socket.write(drip[at++]!);
      }, everyMs);
    });
    let boundHit = false;
    const bound = setTimeout(() => {
      boundHit = true;
      socket.destroy();
    }, BOUND_MS);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(bound);
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed: !boundHit });
    });
  });
}

describe('slow clients', () => {
  it('closes 200 trickling header blocks with a 408 while a fresh valid request still gets 200', async () => {
    const { proxy, upstream } = await setup();
    const drip = 'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n';
    const lorises = Array.from({ length: 200 }, () =>
      trickle(proxy.url, `GET /api/v1/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n`, drip),
    );
    const valid = await sendRequest(`${proxy.url}/api/v1/contacts`, { headers: { authorization: `Bearer ${key}` } });
    expect(valid.status).toBe(200);
    const results = await Promise.all(lorises);
    expect(results.filter((r) => !r.closed)).toEqual([]);
    for (const { text } of results) expect(parseResponses(text)).toMatchObject([{ status: 408, body: TIMED_OUT }]);
    expect(upstream.requests).toHaveLength(1);
  });

  it('closes a body that trickles past the request timeout with a 408; the upstream never gets a complete request', async () => {
    const { proxy, upstream } = await setup();
    const head = `POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Length: 1000\r\n\r\n`;
    const { text, closed } = await trickle(proxy.url, head, 'x'.repeat(1000));
    expect(closed).toBe(true);
    expect(parseResponses(text)).toMatchObject([{ status: 408, body: TIMED_OUT }]);
    expect(upstream.requests).toEqual([]);
    await vi.waitFor(() => expect(upstream.openSockets()).toBe(0), { timeout: 2_000, interval: 20 });
  });

  it('closes an idle connection that never sends a byte', async () => {
    const { proxy } = await setup();
    const { closed } = await trickle(proxy.url, '', '');
    expect(closed).toBe(true);
  });
});
