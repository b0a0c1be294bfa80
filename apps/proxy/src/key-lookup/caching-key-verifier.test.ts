import { makeTestKey } from '@routemcp/api-key/testing';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CachingKeyVerifier } from './caching-key-verifier.ts';
import { CircuitBreaker } from '../resilience/index.ts';
import { HttpKeystoreClient } from './http-keystore-client.ts';
import { KeyLookupMetrics } from './key-lookup-metrics.ts';
import type { KeyRecord } from './key-verifier.ts';
import type { KeystoreClient } from './keystore-client.ts';
import { MemoryKeystoreClient } from '../testing/memory-keystore-client.ts';
import { FakeKeystore } from '../testing/fake-keystore.ts';
import { ManualClock } from '../testing/manual-clock.ts';

const TTL = 60_000;
const NEGATIVE_TTL = 5_000;
const STALE = 300_000;

const record: KeyRecord = { id: 'key_1', accountId: 'acct_1', environment: 'test', expiresAt: null, rateLimit: null };

function setup(keystore: KeystoreClient = new MemoryKeystoreClient()) {
  const clock = new ManualClock();
  const registry = new Registry();
  const verifier = new CachingKeyVerifier({
    keystore,
    clock,
    metrics: new KeyLookupMetrics(registry),
    breaker: new CircuitBreaker({ failureThreshold: 3, coolDownMs: 1000, clock }),
    cacheMaxKeys: 100,
    cacheTtlMs: TTL,
    negativeTtlMs: NEGATIVE_TTL,
    staleIfErrorMs: STALE,
  });
  const count = async (name: string, result: string) =>
    (await registry.getSingleMetric(name)!.get()).values.find((v) => v.labels.result === result)?.value ?? 0;
  return { clock, registry, verifier, count };
}

describe('CachingKeyVerifier', () => {
  it('tells its change listeners after an evict or a flush, once the cache let go (a re-check reaches the keystore)', async () => {
    const keystore = new MemoryKeystoreClient();
    const { hash } = makeTestKey();
    keystore.put(hash, record);
    const { verifier } = setup(keystore);
    await verifier.verify(hash);
    const told: (string | null)[] = [];
    const answers: unknown[] = [];
    verifier.onChange((changed) => {
      told.push(changed);
      answers.push(verifier.verify(hash));
    });
    keystore.put(hash, record, 'revoked');
    verifier.evict(hash);
    verifier.forgetUnknown(hash);
    verifier.flush();
    expect(told).toEqual([hash, null]);
    expect(await Promise.all(answers)).toEqual([
      { ok: false, reason: 'revoked' },
      { ok: false, reason: 'revoked' },
    ]);
  });

  it('answers a known key from the cache until the TTL, then asks again', async () => {
    const keystore = new MemoryKeystoreClient();
    const { hash } = makeTestKey();
    keystore.put(hash, record);
    const { verifier, clock, count } = setup(keystore);
    expect(await verifier.verify(hash)).toEqual({ ok: true, key: record });
    clock.advance(TTL - 1);
    expect(await verifier.verify(hash)).toEqual({ ok: true, key: record });
    expect(keystore.calls).toBe(1);
    clock.advance(1);
    await verifier.verify(hash);
    expect(keystore.calls).toBe(2);
    expect(await count('routemcp_proxy_cache_lookups_total', 'hit')).toBe(1);
    expect(await count('routemcp_proxy_cache_lookups_total', 'miss')).toBe(2);
  });

  it('caches unknown keys for the negative TTL', async () => {
    const keystore = new MemoryKeystoreClient();
    const { verifier, clock, count } = setup(keystore);
    const { hash } = makeTestKey();
    for (let i = 0; i < 10; i++) expect(await verifier.verify(hash)).toEqual({ ok: false, reason: 'unknown' });
    expect(keystore.calls).toBe(1);
    expect(await count('routemcp_proxy_cache_lookups_total', 'negative_hit')).toBe(9);
    keystore.put(hash, record);
    clock.advance(NEGATIVE_TTL);
    expect(await verifier.verify(hash)).toEqual({ ok: true, key: record });
  });

  it('caches revoked keys negatively', async () => {
    const keystore = new MemoryKeystoreClient();
    const { hash } = makeTestKey();
    keystore.put(hash, record, 'revoked');
    const { verifier } = setup(keystore);
    expect(await verifier.verify(hash)).toEqual({ ok: false, reason: 'revoked' });
    expect(await verifier.verify(hash)).toEqual({ ok: false, reason: 'revoked' });
    expect(keystore.calls).toBe(1);
  });

  it('checks expiresAt against the clock on every verify, cached entries included', async () => {
    const keystore = new MemoryKeystoreClient();
    const { hash } = makeTestKey();
    const { verifier, clock } = setup(keystore);
    keystore.put(hash, { ...record, expiresAt: clock.now() + 1000 });
    expect((await verifier.verify(hash)).ok).toBe(true);
    clock.advance(1000);
    expect(await verifier.verify(hash)).toEqual({ ok: false, reason: 'expired' });
    expect(keystore.calls).toBe(1);
  });

  it('coalesces 1000 simultaneous misses for one key into one keystore request', async () => {
    await using fake = await new FakeKeystore().listen();
    const { hash } = makeTestKey();
    fake.records.set(hash, {
      id: 'key_1',
      accountId: 'acct_1',
      environment: 'test',
      status: 'active',
      expiresAt: null,
      rateLimit: null,
    });
    const { verifier, count } = setup(
      new HttpKeystoreClient({ keystoreUrl: fake.url, serviceToken: fake.token, timeoutMs: 2000 }),
    );
    const verdicts = await Promise.all(Array.from({ length: 1000 }, () => verifier.verify(hash)));
    expect(verdicts.every((v) => v.ok)).toBe(true);
    expect(fake.lookups.get(hash)).toBe(1);
    expect(await count('routemcp_proxy_cache_lookups_total', 'coalesced')).toBe(999);
  });

  it.each(['error-500', 'bad-json', 'wrong-shape', 'hang'] as const)(
    'answers unavailable for an uncached key when the keystore is %s',
    async (mode) => {
      await using fake = await new FakeKeystore().listen();
      fake.mode = mode;
      const { verifier, count } = setup(
        new HttpKeystoreClient({ keystoreUrl: fake.url, serviceToken: fake.token, timeoutMs: 100 }),
      );
      expect(await verifier.verify(makeTestKey().hash)).toEqual({ ok: false, reason: 'unavailable' });
      expect(await count('routemcp_proxy_keystore_requests_total', 'error')).toBe(1);
      expect(verifier.health().keystoreReachable).toBe(false);
    },
  );

  it('answers unavailable when the keystore is down', async () => {
    const { verifier } = setup(
      new HttpKeystoreClient({ keystoreUrl: 'http://127.0.0.1:9', serviceToken: 't', timeoutMs: 500 }),
    );
    expect(await verifier.verify(makeTestKey().hash)).toEqual({ ok: false, reason: 'unavailable' });
  });

  it('serves a known answer while the keystore fails, within the stale-if-error window only', async () => {
    const keystore = new MemoryKeystoreClient();
    const active = makeTestKey();
    const revoked = makeTestKey();
    const unknown = makeTestKey();
    keystore.put(active.hash, record);
    keystore.put(revoked.hash, record, 'revoked');
    const { verifier, clock, count } = setup(keystore);
    await verifier.verify(active.hash);
    await verifier.verify(revoked.hash);
    await verifier.verify(unknown.hash);
    keystore.failWith = { kind: 'error', error: 'server_error' };
    clock.advance(STALE);
    expect(await verifier.verify(active.hash)).toEqual({ ok: true, key: record });
    expect(await verifier.verify(revoked.hash)).toEqual({ ok: false, reason: 'revoked' });
    // "unknown" might be a key created since: never a 401 because the keystore is down.
    expect(await verifier.verify(unknown.hash)).toEqual({ ok: false, reason: 'unavailable' });
    expect(await count('routemcp_proxy_cache_lookups_total', 'stale')).toBe(2);
    clock.advance(1);
    expect(await verifier.verify(active.hash)).toEqual({ ok: false, reason: 'unavailable' });
  });

  it('stops calling a failing keystore, then probes it once per cool-down', async () => {
    const keystore = new MemoryKeystoreClient();
    keystore.failWith = { kind: 'error', error: 'timeout' };
    const { verifier, clock, count } = setup(keystore);
    for (let i = 0; i < 10; i++) expect((await verifier.verify(makeTestKey().hash)).ok).toBe(false);
    expect(keystore.calls).toBe(3);
    expect(await count('routemcp_proxy_keystore_requests_total', 'circuit_open')).toBe(7);
    clock.advance(1000);
    keystore.failWith = null;
    const { hash } = makeTestKey();
    keystore.put(hash, record);
    expect(await verifier.verify(hash)).toEqual({ ok: true, key: record });
    expect(keystore.calls).toBe(4);
    expect(verifier.health().keystoreReachable).toBe(true);
  });

  it('does not cache an answer that was in flight when its key was evicted', async () => {
    const keystore = new MemoryKeystoreClient();
    const { hash } = makeTestKey();
    keystore.put(hash, record);
    const { verifier } = setup(keystore);
    const inFlight = verifier.verify(hash);
    verifier.evict(hash);
    keystore.put(hash, record, 'revoked');
    expect((await inFlight).ok).toBe(true);
    expect(await verifier.verify(hash)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('forgets evicted and flushed keys, and reports what it holds', async () => {
    const keystore = new MemoryKeystoreClient();
    const a = makeTestKey();
    const b = makeTestKey();
    keystore.put(a.hash, record);
    const { verifier } = setup(keystore);
    await verifier.verify(a.hash);
    await verifier.verify(b.hash);
    expect(verifier.health()).toEqual({ keystoreReachable: true, eventsConnected: false, cachedKeys: 2 });
    verifier.evict(a.hash);
    expect(verifier.health().cachedKeys).toBe(1);
    verifier.flush();
    expect(verifier.health().cachedKeys).toBe(0);
  });
});
