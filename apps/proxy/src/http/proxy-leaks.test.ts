import type { AddressInfo } from 'node:net';
import { makeTestKey, type TestKey } from '@routemcp/api-key/testing';
import { pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { createKeyVerifier } from '../key-lookup/index.ts';
import type { KeyVerifier } from '../key-lookup/index.ts';
import { FakeKeystore } from '../testing/fake-keystore.ts';
import { listen } from './listen.ts';
import { createLimiter } from '../rate-limit/index.ts';
import { createProxyServer, type ProxyServers } from './server.ts';
import { rawExchange } from '../testing/raw-http.ts';
import { startRecordingUpstream, type RecordingUpstream } from '../testing/recording-upstream.ts';

/**
 * The real verifier (HTTP to a fake keystore), the real limiter and a
 * trace-level logger, so every line any part of the proxy writes is
 * captured, then searched for key material along with the metrics and every
 * byte sent back to clients.
 */
const active = makeTestKey('live');
const revoked = makeTestKey('test');
const unknown = makeTestKey('live');
const limited = makeTestKey('test');
const mistyped = { ...makeTestKey('live') };
mistyped.key = `${mistyped.key.slice(0, -1)}${mistyped.key.endsWith('a') ? 'b' : 'a'}`;
const ALL: TestKey[] = [active, revoked, unknown, limited, mistyped];

const logs: string[] = [];
const wire: string[] = [];
let keystore: FakeKeystore;
let upstream: RecordingUpstream;
let verifier: KeyVerifier;
let servers: ProxyServers;
let url: string;
let adminUrl: string;

beforeAll(async () => {
  keystore = await new FakeKeystore().listen();
  upstream = await startRecordingUpstream();
  const record = { accountId: 'acct_1', status: 'active' as const, expiresAt: null, rateLimit: null };
  keystore.records.set(active.hash, { ...record, id: 'key_a', environment: 'live' });
  keystore.records.set(revoked.hash, { ...record, id: 'key_r', environment: 'test', status: 'revoked' });
  const tiny = { capacity: 1, refillPerSecond: 0.001 };
  keystore.records.set(limited.hash, { ...record, id: 'key_l', environment: 'test', rateLimit: tiny });
  const config = loadConfig({
    KEYSTORE_SERVICE_TOKEN: keystore.token,
    KEYSTORE_URL: keystore.url,
    UPSTREAM_URL: upstream.url,
    SHUTDOWN_GRACE_MS: '1000',
    MAX_HEADER_BYTES: '4096',
  });
  const logger = pino({ level: 'trace' }, { write: (line: string) => void logs.push(line) });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  verifier = createKeyVerifier({ ...cacheOptions(config), keystoreUrl: keystore.url, registry, logger });
  const limiter = createLimiter({ redisTimeoutMs: 50, registry, logger });
  servers = createProxyServer({ config, verifier, limiter, registry, logger });
  await listen(servers.server, 0, '127.0.0.1');
  await listen(servers.adminServer, 0, '127.0.0.1');
  url = `http://127.0.0.1:${(servers.server.address() as AddressInfo).port}`;
  adminUrl = `http://127.0.0.1:${(servers.adminServer.address() as AddressInfo).port}`;
  await verifier.start();
});

afterAll(async () => {
  await servers.shutdown();
  await verifier.close();
  await upstream.close();
  await keystore[Symbol.asyncDispose]();
});

function cacheOptions(config: ReturnType<typeof loadConfig>) {
  return {
    serviceToken: config.KEYSTORE_SERVICE_TOKEN,
    cacheMaxKeys: config.CACHE_MAX_KEYS,
    cacheTtlMs: config.CACHE_TTL_MS,
    negativeTtlMs: config.CACHE_NEGATIVE_TTL_MS,
    staleIfErrorMs: config.CACHE_STALE_IF_ERROR_MS,
    keystoreTimeoutMs: config.KEYSTORE_TIMEOUT_MS,
  };
}

/** Any 12 consecutive characters of a key's random part count as a leak, not only the whole key. */
function leakedIn(text: string, key: string): string | null {
  const body = key.slice(8);
  for (let i = 0; i + 12 <= body.length; i++) if (text.includes(body.slice(i, i + 12))) return body.slice(i, i + 12);
  return null;
}

async function send(lines: string, path = '/api/v1/contacts'): Promise<void> {
  const { text } = await rawExchange(url, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${lines}\r\n`);
  wire.push(text);
}

describe('no key material leaks', () => {
  it('in any log line, metric or answer, across valid, refused, malformed and misplaced keys', async () => {
    for (const { key } of ALL) {
      await send(`Authorization: Bearer ${key}\r\n`);
      await send(`Authorization: bearer ${key}\r\n`);
      await send(`Authorization: Basic ${Buffer.from(`${key}:`).toString('base64')}\r\n`);
      await send(`Authorization: Token ${key}\r\n`);
      await send(`Authorization: Bearer ${key}\r\nAuthorization: Bearer ${key}\r\n`);
      await send(`Authorization: Bearer ${key}x\r\n`);
      await send(`Authorization: Bearer ${key} ${key}\r\n`);
      await send('', `/api/v1/contacts?api_key=${key}`);
      await send(`Authorization: Bearer ${active.key}\r\n`, `/api/v1/contacts/${key}`);
      await send(`Authorization: Bearer ${active.key}\r\nX-Request-Id: ${key}\r\n`);
      await send(`Authorization: Bearer ${key}\r\nX-Big: ${'a'.repeat(5_000)}\r\n`);
      await send(`Authorization: Bearer ${key}\r\nX-Bad: \x01\r\n`);
      // A valid one would switch protocols and stay open.
      if (key !== active.key)
        await send(`Authorization: Bearer ${key}\r\nUpgrade: websocket\r\nSec-WebSocket-Key: x\r\n`);
    }
    keystore.mode = 'error-500';
    await send(`Authorization: Bearer ${unknown.key.slice(0, -2)}${makeTestKey().key.slice(-2)}\r\n`);
    await send(`Authorization: Bearer ${makeTestKey().key}\r\n`);
    keystore.mode = 'normal';
    await new Promise((resolve) => setImmediate(resolve));

    const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
    // 200s carry the upstream's body (which echoes the path it was sent): not ours to judge.
    const ours = wire.filter((text) => !text.startsWith('HTTP/1.1 200'));
    const haystacks = { logs: logs.join('\n'), metrics, wire: ours.join('\n') };
    for (const { key } of ALL) {
      for (const [where, text] of Object.entries(haystacks))
        expect({ where, leak: leakedIn(text, key) }).toEqual({ where, leak: null });
    }
    // The run did exercise the paths it claims to.
    expect(wire.some((t) => t.startsWith('HTTP/1.1 200'))).toBe(true);
    expect(wire.some((t) => t.startsWith('HTTP/1.1 429'))).toBe(true);
    expect(wire.some((t) => t.startsWith('HTTP/1.1 431'))).toBe(true);
    expect(wire.some((t) => t.startsWith('HTTP/1.1 503'))).toBe(true);
    expect(logs.length).toBeGreaterThan(ALL.length * 10);
  });
});
