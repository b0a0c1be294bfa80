import { makeTestKey } from '@routemcp/api-key/testing';
import { startWebSocketEcho } from '@routemcp/testing/websocket-echo';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../clock.ts';
import { createKeyVerifier } from '../key-lookup/index.ts';
import { FakeKeystore, type FakeKeyData } from '../testing/fake-keystore.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { startProxy } from '../testing/proxy-harness.ts';

/** Outer bound on waiting for a close: generous, for a loaded machine; the assertion is that it comes at all. */
const CLOSE_WITHIN_MS = 5_000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/**
 * The real proxy server with the real key verifier (cache + change-event
 * stream) over a fake keystore that pushes events, in front of a real
 * WebSocket echo upstream.
 */
async function setup(options: { clock?: Clock; env?: Record<string, string>; record?: Partial<FakeKeyData> } = {}) {
  const keystore = await new FakeKeystore().listen();
  cleanups.push(() => keystore[Symbol.asyncDispose]());
  const registry = new Registry();
  const verifier = createKeyVerifier({
    keystoreUrl: keystore.url,
    serviceToken: keystore.token,
    cacheMaxKeys: 100,
    // Ten minutes: only a change event can explain a close within a test.
    cacheTtlMs: 600_000,
    negativeTtlMs: 5_000,
    staleIfErrorMs: 300_000,
    keystoreTimeoutMs: 2_000,
    registry,
    logger: pino({ level: 'silent' }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  await verifier.start();
  cleanups.push(() => verifier.close());
  const echo = await startWebSocketEcho();
  cleanups.push(() => echo.close());
  const proxy = await startProxy({
    upstreamUrl: echo.url,
    keyVerifier: verifier,
    registry,
    env: options.env ?? {},
    ...(options.clock ? { clock: options.clock } : {}),
  });
  cleanups.push(() => proxy.close());
  const { key, hash } = makeTestKey('live');
  const record: FakeKeyData = {
    id: 'key_tunnel',
    accountId: 'acct_1',
    environment: 'live',
    status: 'active',
    expiresAt: null,
    rateLimit: null,
    ...options.record,
  };
  keystore.records.set(hash, record);

  /** Changes the key at the keystore and pushes the event every proxy gets. */
  const change = (type: string, changes: Partial<FakeKeyData>) => {
    keystore.records.set(hash, { ...keystore.records.get(hash)!, ...changes });
    keystore.emit(type, hash);
  };
  const closeLines = () =>
    proxy.logs.map((line) => JSON.parse(line)).filter((line: { msg: string }) => line.msg === 'tunnel closed');
  const metrics = async () => (await fetch(`${proxy.adminUrl}/metrics`)).text();
  return { keystore, proxy, key, hash, record, change, closeLines, metrics, echo };
}

/** A real WebSocket client through the proxy, open and echoing. */
async function openTunnel(proxyUrl: string, key: string, path = '/ws/chat') {
  const socket = new WebSocket(`${proxyUrl.replace('http', 'ws')}${path}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  const closed = new Promise<CloseEvent>((resolve) => socket.addEventListener('close', resolve, { once: true }));
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('the tunnel did not open')), { once: true });
  });
  const echo = async (text: string): Promise<string> => {
    const answer = new Promise<string>((resolve) =>
      socket.addEventListener('message', (event) => resolve(String(event.data)), { once: true }),
    );
    socket.send(text);
    return answer;
  };
  expect(await echo('hello')).toBe('hello');
  /** Resolves with the close, or rejects after the outer bound (the tunnel stayed open). */
  const whenClosed = () =>
    Promise.race([
      closed,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('the tunnel stayed open')), CLOSE_WITHIN_MS).unref(),
      ),
    ]);
  return { socket, echo, whenClosed };
}

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('a WebSocket tunnel follows its key', () => {
  it('is closed when the key is revoked; /metrics shows the gauge go up and down and the close by reason', async () => {
    const { proxy, key, change, closeLines, metrics } = await setup();
    const before = await metrics();
    expect(sample(before, 'routemcp_proxy_websocket_tunnels_open')).toBe(0);
    for (const reason of ['revoked', 'expired', 'policy', 'idle', 'lifetime', 'shutdown'])
      expect(sample(before, `routemcp_proxy_websocket_tunnels_closed_total{reason="${reason}"}`)).toBe(0);

    const tunnel = await openTunnel(proxy.url, key);
    expect(sample(await metrics(), 'routemcp_proxy_websocket_tunnels_open')).toBe(1);
    change('revoked', { status: 'revoked' });
    const closed = await tunnel.whenClosed();
    // Both sockets destroyed: no close frame, the client sees an abnormal closure.
    expect(closed.code).toBe(1006);
    expect(closeLines()).toEqual([expect.objectContaining({ keyId: 'key_tunnel', reason: 'revoked' })]);
    expect(proxy.logs.join('\n')).not.toContain(key);
    const after = await metrics();
    expect(sample(after, 'routemcp_proxy_websocket_tunnels_open')).toBe(0);
    expect(sample(after, 'routemcp_proxy_websocket_tunnels_closed_total{reason="revoked"}')).toBe(1);
  });

  it("is closed at the key's expiry, when no event comes (injected clock)", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const expiresAt = new Date(clock.now() + 60_000).toISOString();
    const { proxy, key, closeLines } = await setup({ clock, record: { expiresAt } });
    const tunnel = await openTunnel(proxy.url, key);
    clock.advance(60_000);
    await tunnel.whenClosed();
    expect(closeLines().map((line) => line.reason)).toEqual(['expired']);
  });

  it("is closed when a roll's grace period ends (the event sets the old key's expiry; injected clock)", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const { proxy, keystore, key, hash, change, closeLines } = await setup({ clock });
    const tunnel = await openTunnel(proxy.url, key);
    const lookups = keystore.lookups.get(hash) ?? 0;
    change('rolled', { expiresAt: new Date(clock.now() + 3_600_000).toISOString() });
    await vi.waitFor(() => expect(keystore.lookups.get(hash)).toBe(lookups + 1));
    expect(await tunnel.echo('in the grace period')).toBe('in the grace period');
    clock.advance(3_600_000);
    await tunnel.whenClosed();
    expect(closeLines().map((line) => line.reason)).toEqual(['expired']);
  });

  it('is closed by a PATCH narrowing its permissions; one that still admits it leaves it open', async () => {
    const { proxy, keystore, key, hash, change, closeLines } = await setup({ record: { permissions: ['GET /ws/**'] } });
    const tunnel = await openTunnel(proxy.url, key);
    const lookups = keystore.lookups.get(hash) ?? 0;
    change('updated', { permissions: ['GET /ws/chat', 'POST /api/**'] });
    await vi.waitFor(() => expect(keystore.lookups.get(hash)).toBe(lookups + 1));
    expect(await tunnel.echo('still here')).toBe('still here');
    change('updated', { permissions: ['GET /api/**'] });
    await tunnel.whenClosed();
    // Had the first PATCH closed it, that close (also 'policy') would have come before the echo above.
    expect(closeLines().map((line) => line.reason)).toEqual(['policy']);
  });

  it('is closed by a PATCH whose allowedIps no longer contain its client', async () => {
    const { proxy, key, change, closeLines } = await setup();
    const tunnel = await openTunnel(proxy.url, key);
    change('updated', { allowedIps: ['192.0.2.0/24'] });
    await tunnel.whenClosed();
    expect(closeLines().map((line) => line.reason)).toEqual(['policy']);
  });
});

describe('a WebSocket tunnel has an idle timeout and a maximum lifetime', () => {
  it('WS_IDLE_TIMEOUT_MS closes a tunnel with no traffic, no sooner', async () => {
    const { proxy, key, closeLines, metrics } = await setup({
      env: { WS_IDLE_TIMEOUT_MS: '400', WS_MAX_LIFETIME_MS: '0' },
    });
    const tunnel = await openTunnel(proxy.url, key);
    const quietSince = Date.now();
    await tunnel.whenClosed();
    expect(Date.now() - quietSince).toBeGreaterThanOrEqual(400);
    expect(closeLines().map((line) => line.reason)).toEqual(['idle']);
    expect(sample(await metrics(), 'routemcp_proxy_websocket_tunnels_closed_total{reason="idle"}')).toBe(1);
  });

  it('WS_MAX_LIFETIME_MS closes a tunnel at its age (idle timeout off; busy ones: open-tunnels.test.ts)', async () => {
    const { proxy, key, closeLines } = await setup({ env: { WS_IDLE_TIMEOUT_MS: '0', WS_MAX_LIFETIME_MS: '600' } });
    const tunnel = await openTunnel(proxy.url, key);
    await tunnel.whenClosed();
    expect(closeLines().map((line) => line.reason)).toEqual(['lifetime']);
  });
});

describe('a WebSocket tunnel at shutdown', () => {
  it('keeps running through the drain grace period, then is closed and logged as shutdown', async () => {
    const { proxy, key, closeLines } = await setup({ env: { SHUTDOWN_GRACE_MS: '3000' } });
    const tunnel = await openTunnel(proxy.url, key);
    const shutdown = proxy.servers.shutdown();
    // The drain does not cut it: it still echoes while the grace period runs.
    expect(await tunnel.echo('draining')).toBe('draining');
    // An open tunnel is an open connection: the drain runs to its end, then cuts it.
    expect(await shutdown).toBe('forced');
    await tunnel.whenClosed();
    expect(closeLines().map((line) => line.reason)).toEqual(['shutdown']);
  });
});
