import { connect, type Socket } from 'node:net';
import { makeTestKey } from '@routemcp/api-key/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startProxy } from '../testing/proxy-harness.ts';
import { startRecordingUpstream } from '../testing/recording-upstream.ts';

const key = makeTestKey('live');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup() {
  const upstream = await startRecordingUpstream();
  cleanups.push(() => upstream.close());
  const proxy = await startProxy({ upstreamUrl: upstream.url });
  cleanups.push(() => proxy.close());
  return {
    upstream,
    proxy,
    record: proxy.verifier.add(key.key, { environment: 'live', rateLimit: { capacity: 1, refillPerSecond: 1 } }),
  };
}

function handshake(authorization: string | null): string {
  return (
    'GET /ws HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
    'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
    (authorization === null ? '' : `Authorization: ${authorization}\r\n`) +
    'X-RouteMCP-Key-Id: key_spoof\r\n\r\n'
  );
}

/** Opens a socket, sends the handshake, resolves with the socket and the response head (plus any bytes after it). */
function upgrade(
  url: string,
  authorization: string | null,
): Promise<{ socket: Socket; head: string; closed: Promise<string> }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(handshake(authorization)));
    let received = '';
    const closed = new Promise<string>((done) => socket.on('close', () => done(received)));
    socket.on('data', (chunk) => {
      received += chunk.toString();
      if (received.includes('\r\n\r\n')) resolve({ socket, head: received, closed });
    });
    socket.on('error', reject);
  });
}

describe('websocket upgrades', () => {
  it('refuses a bad key with the 401 envelope and never contacts the upstream', async () => {
    const { proxy, upstream } = await setup();
    for (const authorization of [null, 'Bearer sk_live_nope', `Bearer ${makeTestKey('live').key}`]) {
      const { closed } = await upgrade(proxy.url, authorization);
      const raw = await closed;
      expect(raw).toMatch(/^HTTP\/1\.1 401 /);
      expect(
        raw.endsWith(
          '{"success":false,"statusCode":401,"message":"Invalid or missing API key","code":"INVALID_API_KEY"}',
        ),
      ).toBe(true);
    }
    expect(upstream.connections()).toBe(0);
  });

  it('proxies an authenticated upgrade with identity headers, and echo works', async () => {
    const { proxy, upstream, record } = await setup();
    const { socket, head } = await upgrade(proxy.url, `Bearer ${key.key}`);
    expect(head).toMatch(/^HTTP\/1\.1 101 /);
    expect(head.toLowerCase()).toContain('ratelimit-limit: 1');
    expect(head.toLowerCase()).toMatch(/x-request-id: [0-9a-f-]{36}/);
    const seen = upstream.requests.at(-1)!;
    expect(seen.headers['x-routemcp-key-id']).toBe(record.id);
    expect(seen.headers.authorization).toBeUndefined();
    const echoed = new Promise<string>((resolve) => socket.once('data', (chunk) => resolve(chunk.toString())));
    socket.write('ping-frame');
    expect(await echoed).toBe('ping-frame');
    socket.destroy();
  });

  it('takes a token per upgrade and answers 429 with Retry-After', async () => {
    const { proxy } = await setup();
    const first = await upgrade(proxy.url, `Bearer ${key.key}`);
    first.socket.destroy();
    const { closed } = await upgrade(proxy.url, `Bearer ${key.key}`);
    const raw = await closed;
    expect(raw).toMatch(/^HTTP\/1\.1 429 /);
    expect(raw).toMatch(/\r\nRetry-After: \d+\r\n/);
    expect(raw).toContain('"code":"RATE_LIMITED"');
  });

  it("counts upgrades in the key's usage and logs their key id like any request, refused ones included", async () => {
    const { proxy, record } = await setup();
    const opened = await upgrade(proxy.url, `Bearer ${key.key}`);
    await vi.waitFor(() => expect(proxy.usage).toHaveLength(1));
    opened.socket.destroy();
    await (
      await upgrade(proxy.url, `Bearer ${key.key}`)
    ).closed;
    await vi.waitFor(() => expect(proxy.usage).toHaveLength(2));
    expect(proxy.usage).toEqual([
      { keyId: record.id, rateLimited: false, admitted: true },
      { keyId: record.id, rateLimited: true, admitted: false },
    ]);
    const lines = proxy.logs.map((line) => JSON.parse(line)).filter((line) => line.msg === 'request');
    expect(lines.map(({ keyId, status, outcome, upgrade }) => ({ keyId, status, outcome, upgrade }))).toEqual([
      { keyId: record.id, status: 101, outcome: 'ok', upgrade: true },
      { keyId: record.id, status: 429, outcome: 'RATE_LIMITED', upgrade: true },
    ]);
  });
});
