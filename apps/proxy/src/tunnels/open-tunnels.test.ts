import { EventEmitter } from 'node:events';
import { hash } from '@routemcp/api-key';
import { makeTestKey } from '@routemcp/api-key/testing';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KeyRecord } from '../key-lookup/index.ts';
import type { CanonicalPath } from '../pipeline/index.ts';
import { FakeKeyVerifier } from '../testing/fake-key-verifier.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { OpenTunnels } from './open-tunnels.ts';
import { TUNNEL_CLOSE_REASONS, TunnelMetrics } from './tunnel-metrics.ts';

/** A socket as far as the registry cares: byte counters, destroy, close. */
class StubSocket extends EventEmitter {
  bytesRead = 0;
  bytesWritten = 0;
  destroyed = false;

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('close');
  }
}

const DEFAULTS = { live: { capacity: 10, refillPerSecond: 1 }, test: { capacity: 10, refillPerSecond: 1 } };
const IDLE_MS = 60_000;
const LIFETIME_MS = 3_600_000;
const RECHECK_MS = 30_000;
const open: OpenTunnels[] = [];
afterEach(() => {
  for (const tunnels of open.splice(0)) tunnels.closeAll('shutdown');
});

function setup() {
  const clock = new ManualClock();
  const verifier = new FakeKeyVerifier();
  const registry = new Registry();
  const logs: string[] = [];
  const tunnels: OpenTunnels = new OpenTunnels({
    verifier,
    rateLimits: DEFAULTS,
    clock,
    metrics: new TunnelMetrics({ registry, open: () => tunnels.size }),
    logger: pino({ level: 'info' }, { write: (line: string) => void logs.push(line) }),
    idleTimeoutMs: IDLE_MS,
    maxLifetimeMs: LIFETIME_MS,
    recheckMs: RECHECK_MS,
    // The tests sweep by hand, at the clock they set.
    sweepMs: 3_600_000,
  });
  open.push(tunnels);
  verifier.onChange((keyHash) => void tunnels.keyChanged(keyHash));

  /** Opens a tunnel for a fresh key admitted on `record`. */
  function tunnel(
    record: Partial<KeyRecord> = {},
    grant = { path: '/ws/chat' as CanonicalPath, clientAddress: '10.0.0.7' },
  ) {
    const key = makeTestKey('live').key;
    const admitted = verifier.add(key, { environment: 'live', ...record });
    const client = new StubSocket();
    const upstream = new StubSocket();
    tunnels.add({
      method: 'GET',
      ...grant,
      keyHash: hash(key),
      keyId: admitted.id,
      expiresAt: admitted.expiresAt,
      requestId: 'req-1',
      client,
      upstream,
    });
    /** The key as the keystore now has it (a PATCH, a roll), and the change event that says so. */
    const update = (changes: Partial<KeyRecord>) => {
      verifier.answer(key, { ok: true, key: { ...admitted, ...changes } });
      return tunnels.keyChanged(hash(key));
    };
    return { key, admitted, client, upstream, update };
  }

  async function metrics() {
    const json = await registry.getMetricsAsJSON();
    const closed = json.find((metric) => metric.name === 'routemcp_proxy_websocket_tunnels_closed_total')!;
    const gauge = json.find((metric) => metric.name === 'routemcp_proxy_websocket_tunnels_open')!;
    return {
      open: gauge.values[0]!.value,
      closed: Object.fromEntries(closed.values.map((sample) => [sample.labels.reason, sample.value])),
    };
  }

  const closeLines = () =>
    logs.map((line) => JSON.parse(line)).filter((line: { msg: string }) => line.msg === 'tunnel closed');

  return { clock, verifier, tunnels, tunnel, metrics, logs, closeLines };
}

describe('OpenTunnels: a tunnel follows its key', () => {
  it('a revoke closes both sockets, logs the key id and the reason (never the key) and counts it', async () => {
    const { verifier, tunnel, metrics, logs, closeLines } = setup();
    const other = tunnel();
    const { key, admitted, client, upstream } = tunnel();
    expect((await metrics()).open).toBe(2);
    verifier.revoke(key);
    verifier.changed(key);
    await vi.waitFor(() => expect(client.destroyed).toBe(true));
    expect(upstream.destroyed).toBe(true);
    expect(other.client.destroyed).toBe(false);
    expect(closeLines()).toEqual([expect.objectContaining({ keyId: admitted.id, reqId: 'req-1', reason: 'revoked' })]);
    expect(logs.join('\n')).not.toContain(key);
    expect(logs.join('\n')).not.toContain(hash(key));
    expect(await metrics()).toEqual({ open: 1, closed: { ...zeros(), revoked: 1 } });
  });

  it('a key the keystore no longer knows counts as revoked', async () => {
    const { verifier, tunnel, closeLines } = setup();
    const { key, client } = tunnel();
    verifier.answer(key, { ok: false, reason: 'unknown' });
    verifier.changed(key);
    await vi.waitFor(() => expect(client.destroyed).toBe(true));
    expect(closeLines()[0].reason).toBe('revoked');
  });

  it("closes at the key's expiry (no event comes for it), not a sweep before", () => {
    const { clock, tunnels, tunnel, closeLines } = setup();
    const { client, upstream } = tunnel({ expiresAt: clock.now() + 10_000 });
    clock.advance(9_999);
    tunnels.sweep();
    expect(client.destroyed).toBe(false);
    clock.advance(1);
    tunnels.sweep();
    expect(client.destroyed && upstream.destroyed).toBe(true);
    expect(closeLines()[0].reason).toBe('expired');
  });

  it("a roll with a grace period closes the old key's tunnels when it ends; grace 0 at once", async () => {
    const { clock, tunnels, tunnel, closeLines } = setup();
    const graced = tunnel();
    await graced.update({ expiresAt: clock.now() + 5_000 });
    expect(graced.client.destroyed).toBe(false);
    const immediate = tunnel();
    await immediate.update({ expiresAt: clock.now() });
    expect(immediate.client.destroyed).toBe(true);
    clock.advance(5_000);
    tunnels.sweep();
    expect(graced.client.destroyed).toBe(true);
    expect(closeLines().map((line) => line.reason)).toEqual(['expired', 'expired']);
  });

  it('a PATCH narrowing permissions or allowedIps closes the tunnel; one that still admits it leaves it open', async () => {
    const { tunnel, closeLines, metrics } = setup();
    const permissions = tunnel({ permissions: ['GET /ws/**'] });
    await permissions.update({ permissions: ['GET /ws/chat', 'POST /api/**'] });
    expect(permissions.client.destroyed).toBe(false);
    await permissions.update({ permissions: ['GET /api/**'] });
    expect(permissions.client.destroyed).toBe(true);

    const addresses = tunnel();
    await addresses.update({ allowedIps: ['10.0.0.0/8'] });
    expect(addresses.client.destroyed).toBe(false);
    await addresses.update({ allowedIps: ['192.168.0.0/16'] });
    expect(addresses.client.destroyed).toBe(true);

    expect(closeLines().map((line) => line.reason)).toEqual(['policy', 'policy']);
    expect((await metrics()).closed.policy).toBe(2);
  });

  it('a keystore that cannot answer neither keeps nor closes on a guess: the sweep asks again', async () => {
    const { verifier, tunnels, tunnel } = setup();
    const { key, client } = tunnel();
    verifier.answer(key, { ok: false, reason: 'unavailable' });
    await tunnels.keyChanged(hash(key));
    expect(client.destroyed).toBe(false);
    verifier.revoke(key);
    tunnels.sweep();
    await vi.waitFor(() => expect(client.destroyed).toBe(true));
  });

  it('without an event (the stream was down) a key is asked again after recheckMs, as a cached key would be', async () => {
    const { clock, verifier, tunnels, tunnel, closeLines } = setup();
    const { key, client } = tunnel();
    verifier.revoke(key);
    clock.advance(RECHECK_MS - 1);
    tunnels.sweep();
    await Promise.resolve();
    expect(client.destroyed).toBe(false);
    clock.advance(1);
    tunnels.sweep();
    await vi.waitFor(() => expect(client.destroyed).toBe(true));
    expect(closeLines()[0].reason).toBe('revoked');
  });

  it('a flush (the event stream reset) re-checks every open key', async () => {
    const { verifier, tunnel } = setup();
    const kept = tunnel();
    const revoked = tunnel();
    verifier.revoke(revoked.key);
    verifier.changed(null);
    await vi.waitFor(() => expect(revoked.client.destroyed).toBe(true));
    expect(kept.client.destroyed).toBe(false);
  });

  it('an older re-check answered after a newer one is dropped', async () => {
    const { verifier, tunnels, tunnel, clock } = setup();
    const { key, admitted, client } = tunnel();
    const gate = Promise.withResolvers<void>();
    // The first lookup answered before the roll, but its answer arrives late.
    vi.spyOn(verifier, 'verify').mockImplementationOnce(() => gate.promise.then(() => ({ ok: true, key: admitted })));
    const first = tunnels.keyChanged(hash(key));
    verifier.answer(key, { ok: true, key: { ...admitted, expiresAt: clock.now() + 1_000 } });
    await tunnels.keyChanged(hash(key));
    // Applied, the stale answer (no expiry) would undo the roll's.
    gate.resolve();
    await first;
    clock.advance(1_000);
    tunnels.sweep();
    expect(client.destroyed).toBe(true);
  });
});

describe('OpenTunnels: idle timeout and lifetime', () => {
  it('closes a tunnel with no bytes either way for the idle timeout; traffic in either direction keeps it', () => {
    const { clock, tunnels, tunnel, closeLines } = setup();
    const quiet = tunnel();
    const chatty = tunnel();
    clock.advance(IDLE_MS / 2);
    chatty.client.bytesRead += 10;
    tunnels.sweep();
    clock.advance(IDLE_MS / 2);
    chatty.client.bytesWritten += 10;
    tunnels.sweep();
    expect(quiet.client.destroyed && quiet.upstream.destroyed).toBe(true);
    expect(chatty.client.destroyed).toBe(false);
    expect(closeLines().map((line) => line.reason)).toEqual(['idle']);
  });

  it('closes a busy tunnel at the maximum lifetime', () => {
    const { clock, tunnels, tunnel, closeLines } = setup();
    const { client } = tunnel();
    for (let elapsed = 0; elapsed < LIFETIME_MS; elapsed += IDLE_MS / 2) {
      expect(client.destroyed).toBe(false);
      client.bytesRead += 1;
      clock.advance(IDLE_MS / 2);
      tunnels.sweep();
    }
    expect(client.destroyed).toBe(true);
    expect(closeLines().map((line) => line.reason)).toEqual(['lifetime']);
  });

  it('0 turns both off', () => {
    const clock = new ManualClock();
    const tunnels: OpenTunnels = new OpenTunnels({
      verifier: new FakeKeyVerifier(),
      rateLimits: DEFAULTS,
      clock,
      metrics: new TunnelMetrics({ registry: new Registry(), open: () => tunnels.size }),
      logger: pino({ level: 'silent' }),
      idleTimeoutMs: 0,
      maxLifetimeMs: 0,
      recheckMs: 0,
      sweepMs: 3_600_000,
    });
    open.push(tunnels);
    const client = new StubSocket();
    tunnels.add({
      method: 'GET',
      path: '/ws' as CanonicalPath,
      clientAddress: undefined,
      keyHash: null,
      keyId: null,
      expiresAt: null,
      requestId: 'r',
      client,
      upstream: new StubSocket(),
    });
    clock.advance(365 * 86_400_000);
    tunnels.sweep();
    expect(client.destroyed).toBe(false);
  });
});

describe('OpenTunnels: bookkeeping', () => {
  it('a tunnel its client ends leaves the gauge without counting a close; shutdown closes the rest', async () => {
    const { tunnels, tunnel, metrics } = setup();
    const ended = tunnel();
    const left = tunnel();
    expect(await metrics()).toEqual({ open: 2, closed: zeros() });
    ended.client.destroy();
    expect(await metrics()).toEqual({ open: 1, closed: zeros() });
    tunnels.closeAll('shutdown');
    expect(left.upstream.destroyed).toBe(true);
    expect(await metrics()).toEqual({ open: 0, closed: { ...zeros(), shutdown: 1 } });
  });
});

function zeros(): Record<string, number> {
  return Object.fromEntries(TUNNEL_CLOSE_REASONS.map((reason) => [reason, 0]));
}
