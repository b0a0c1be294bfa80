import { makeTestKey } from '@routemcp/api-key/testing';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { createKeyVerifier } from './index.ts';
import { FakeKeystore, type FakeKeyData } from '../testing/fake-keystore.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { until } from '../testing/until.ts';

/** Lookups here are answered: their timeout is never the subject, so far above a loaded machine's exchange. */
const ANSWERS_WITHIN_MS = 5_000;
/**
 * For what can only be polled from outside the verifier (its cache, its health): a generous bound, since
 * the default 1 s is less than an event's trip through a busy machine.
 */
const EVENTUALLY = { timeout: 8_000, interval: 10 };

const active: FakeKeyData = {
  id: 'key_1',
  accountId: 'acct_1',
  environment: 'test',
  status: 'active',
  expiresAt: null,
  rateLimit: null,
};

async function setup() {
  const fake = await new FakeKeystore().listen();
  const registry = new Registry();
  const verifier = createKeyVerifier({
    keystoreUrl: fake.url,
    serviceToken: fake.token,
    cacheMaxKeys: 100,
    cacheTtlMs: 60_000,
    negativeTtlMs: 5_000,
    staleIfErrorMs: 300_000,
    keystoreTimeoutMs: ANSWERS_WITHIN_MS,
    registry,
    logger: pino({ level: 'silent' }),
    clock: new ManualClock(),
  });
  const gauge = async () =>
    (await registry.getSingleMetric('routemcp_proxy_event_stream_connected')!.get()).values[0]?.value;
  const received = async (type: string) =>
    (await registry.getSingleMetric('routemcp_proxy_key_events_total')!.get()).values.find(
      (v) => v.labels.type === type,
    )?.value;
  return {
    fake,
    verifier,
    registry,
    gauge,
    received,
    /** start() also resolves after its start timeout with no stream: events emitted before the stream opens are not replayed. */
    async started() {
      await verifier.start();
      await until(fake.changes, () => fake.openStreams === 1, 'streaming from the keystore');
    },
    async [Symbol.asyncDispose]() {
      await verifier.close();
      await fake[Symbol.asyncDispose]();
    },
  };
}

/** Verifies a key once so it is cached, then changes it at the keystore behind the proxy's back. */
async function cacheThenRevokeAtKeystore(
  fake: FakeKeystore,
  verify: (hash: string) => { ok: boolean } | Promise<{ ok: boolean }>,
) {
  const { hash } = makeTestKey();
  fake.records.set(hash, active);
  expect((await verify(hash)).ok).toBe(true);
  fake.records.set(hash, { ...active, status: 'revoked' });
  expect((await verify(hash)).ok).toBe(true);
  return hash;
}

describe('createKeyVerifier change events', () => {
  it('connects on start without an id, flushes on hello and reports the stream', async () => {
    await using s = await setup();
    const { hash } = makeTestKey();
    await s.verifier.verify(hash);
    expect(s.verifier.health().cachedKeys).toBe(1);
    await s.started();
    expect(s.fake.streamRequests).toEqual([undefined]);
    await vi.waitFor(
      () => expect(s.verifier.health()).toEqual({ keystoreReachable: true, eventsConnected: true, cachedKeys: 0 }),
      EVENTUALLY,
    );
    expect(await s.gauge()).toBe(1);
  });

  it('evicts a revoked key as soon as its event arrives', async () => {
    await using s = await setup();
    await s.started();
    const hash = await cacheThenRevokeAtKeystore(s.fake, (h) => s.verifier.verify(h));
    s.fake.emit('revoked', hash);
    await vi.waitFor(
      async () => expect(await s.verifier.verify(hash)).toEqual({ ok: false, reason: 'revoked' }),
      EVENTUALLY,
    );
    const events = (await s.registry.getSingleMetric('routemcp_proxy_key_events_total')!.get()).values;
    expect(events.find((v) => v.labels.type === 'revoked')?.value).toBe(1);
  });

  it('a created event drops a cached "unknown" but keeps a verified entry', async () => {
    await using s = await setup();
    await s.started();
    const { hash: fresh } = makeTestKey();
    expect(await s.verifier.verify(fresh)).toEqual({ ok: false, reason: 'unknown' });
    s.fake.records.set(fresh, active);
    const { hash: verified } = makeTestKey();
    s.fake.records.set(verified, active);
    expect((await s.verifier.verify(verified)).ok).toBe(true);
    const before = s.fake.totalLookups;
    s.fake.emit('created', fresh);
    s.fake.emit('created', verified);
    await vi.waitFor(async () => expect((await s.verifier.verify(fresh)).ok).toBe(true), EVENTUALLY);
    expect((await s.verifier.verify(verified)).ok).toBe(true);
    // One new lookup for the formerly unknown key; the verified one stayed cached.
    expect(s.fake.totalLookups).toBe(before + 1);
  });

  it('replays what it missed while disconnected, resuming from the last event id', async () => {
    await using s = await setup();
    await s.started();
    s.fake.emit('created', makeTestKey().hash);
    const hash = await cacheThenRevokeAtKeystore(s.fake, (h) => s.verifier.verify(h));
    // Applied before the drop, so the stream resumes from its id (ep1:1) rather than from the hello's.
    await vi.waitFor(async () => expect(await s.received('created')).toBe(1), EVENTUALLY);
    s.fake.refuseStreams = true;
    s.fake.dropStreams();
    await vi.waitFor(() => expect(s.verifier.health().eventsConnected).toBe(false), EVENTUALLY);
    s.fake.emit('revoked', hash);
    expect((await s.verifier.verify(hash)).ok).toBe(true);
    s.fake.refuseStreams = false;
    await vi.waitFor(
      async () => expect(await s.verifier.verify(hash)).toEqual({ ok: false, reason: 'revoked' }),
      EVENTUALLY,
    );
    expect(s.fake.streamRequests.at(-1)).toBe('ep1:1');
    expect(s.verifier.health().eventsConnected).toBe(true);
  });

  it('flushes the whole cache when the keystore cannot replay (reset)', async () => {
    await using s = await setup();
    await s.started();
    const hash = await cacheThenRevokeAtKeystore(s.fake, (h) => s.verifier.verify(h));
    s.fake.epoch = 'ep2';
    s.fake.dropStreams();
    await until(s.fake.changes, () => s.fake.openStreams === 1, 'streaming again');
    await vi.waitFor(
      async () => expect(await s.verifier.verify(hash)).toEqual({ ok: false, reason: 'revoked' }),
      EVENTUALLY,
    );
    expect(s.fake.streamRequests).toEqual([undefined, 'ep1:0']);
  });

  it('closes the stream cleanly', async () => {
    await using s = await setup();
    await s.started();
    await s.verifier.close();
    await until(s.fake.changes, () => s.fake.openStreams === 0, 'closed at the keystore');
    expect(s.verifier.health().eventsConnected).toBe(false);
    expect(await s.gauge()).toBe(0);
  });

  it('does not hang start() when the keystore is unreachable', async () => {
    await using s = await setup();
    s.fake.refuseStreams = true;
    await s.verifier.start();
    expect(s.verifier.health().eventsConnected).toBe(false);
  });
});

const UNAVAILABLE = { ok: false, reason: 'unavailable' };

describe('createKeyVerifier with several keystore replicas', () => {
  /** Two fakes standing for replicas on one database: the same keys and the same event log in both. */
  async function twoReplicas() {
    const a = await new FakeKeystore().listen();
    const b = await new FakeKeystore().listen();
    const registry = new Registry();
    const verifier = createKeyVerifier({
      keystoreUrl: [a.url, b.url],
      serviceToken: a.token,
      cacheMaxKeys: 100,
      cacheTtlMs: 60_000,
      negativeTtlMs: 5_000,
      staleIfErrorMs: 300_000,
      keystoreTimeoutMs: ANSWERS_WITHIN_MS,
      registry,
      logger: pino({ level: 'silent' }),
      clock: new ManualClock(),
    });
    const put = (hash: string, data: FakeKeyData) => [a, b].forEach((fake) => fake.records.set(hash, data));
    const emit = (type: string, hash: string) => [a, b].forEach((fake) => fake.emit(type, hash));
    const sample = async (name: string, labels: Record<string, string>) =>
      (await registry.getSingleMetric(name)!.get()).values.find((v) =>
        Object.entries(labels).every(([label, value]) => v.labels[label] === value),
      )?.value;
    return {
      a,
      b,
      verifier,
      put,
      emit,
      sample,
      async [Symbol.asyncDispose]() {
        await verifier.close();
        await a[Symbol.asyncDispose]();
        await b[Symbol.asyncDispose]();
      },
    };
  }

  it('loses replica A: cached keys stay cached, a new key is looked up on B, and B’s events evict with no flush', async () => {
    await using s = await twoReplicas();
    await s.verifier.start();
    await until(s.a.changes, () => s.a.openStreams === 1, 'streaming from replica A');
    const cached = makeTestKey().hash;
    s.put(cached, active);
    expect((await s.verifier.verify(cached)).ok).toBe(true);
    expect([s.a.totalLookups, s.b.totalLookups]).toEqual([1, 0]);

    await s.a[Symbol.asyncDispose]();
    await until(s.b.changes, () => s.b.openStreams === 1, 'streaming from replica B');
    expect(s.b.streamRequests).toEqual(['ep1:0']);
    // No flush on the move: the cached key is still answered without a lookup.
    expect((await s.verifier.verify(cached)).ok).toBe(true);
    expect(s.b.totalLookups).toBe(0);

    const fresh = makeTestKey().hash;
    s.put(fresh, { ...active, id: 'key_2' });
    expect(await s.verifier.verify(fresh)).toMatchObject({ ok: true, key: { id: 'key_2' } });
    expect(s.b.lookups.get(fresh)).toBe(1);
    expect(await s.sample('routemcp_proxy_keystore_replica_requests_total', { replica: '0', result: 'failed' })).toBe(
      1,
    );
    expect(await s.sample('routemcp_proxy_keystore_replica_requests_total', { replica: '1', result: 'answered' })).toBe(
      1,
    );

    s.put(cached, { ...active, status: 'revoked' });
    s.emit('revoked', cached);
    await vi.waitFor(
      async () => expect(await s.verifier.verify(cached)).toEqual({ ok: false, reason: 'revoked' }),
      EVENTUALLY,
    );
    expect(await s.sample('routemcp_proxy_key_events_total', { type: 'reset' })).toBe(0);
    expect(s.verifier.health()).toMatchObject({ keystoreReachable: true, eventsConnected: true });
  });

  it('skips each failing replica once its breaker opens (a gauge per replica index), then fails fast with circuit_open', async () => {
    await using s = await twoReplicas();
    s.a.mode = 'error-500';
    s.b.mode = 'error-500';
    expect(await s.sample('routemcp_proxy_keystore_replica_circuit_open', { replica: '0' })).toBe(0);
    for (let i = 0; i < 5; i++) expect(await s.verifier.verify(makeTestKey().hash)).toEqual(UNAVAILABLE);
    expect([s.a.totalLookups, s.b.totalLookups]).toEqual([5, 5]);
    expect(await s.sample('routemcp_proxy_keystore_replica_circuit_open', { replica: '0' })).toBe(1);
    expect(await s.sample('routemcp_proxy_keystore_replica_circuit_open', { replica: '1' })).toBe(1);
    expect(await s.verifier.verify(makeTestKey().hash)).toEqual(UNAVAILABLE);
    expect([s.a.totalLookups, s.b.totalLookups]).toEqual([5, 5]);
    expect(await s.sample('routemcp_proxy_keystore_requests_total', { result: 'circuit_open' })).toBe(1);
    expect(await s.sample('routemcp_proxy_keystore_requests_total', { result: 'error' })).toBe(5);
  });
});
