import { hash } from '@routemcp/api-key';
import { makeTestKey, nearMiss } from '@routemcp/api-key/testing';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { CachingKeyVerifier } from '../key-lookup/index.ts';
import { CircuitBreaker } from '../resilience/index.ts';
import { KeyLookupMetrics } from '../key-lookup/index.ts';
import { MemoryKeystoreClient } from '../key-lookup/index.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { startProxy, type ProxyHarness } from '../testing/proxy-harness.ts';
import { parseResponses, rawExchange } from '../testing/raw-http.ts';
import { startRecordingUpstream } from '../testing/recording-upstream.ts';

const LIMITED = '{"success":false,"statusCode":429,"message":"Too many requests","code":"RATE_LIMITED"}';
const valid = makeTestKey('live').key;
/** Other clients on loopback: Linux routes all of 127/8 to lo. */
const ATTACKER = '127.0.0.1';
const BYSTANDER = '127.0.0.2';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(options: { env?: Record<string, string>; keystore?: MemoryKeystoreClient } = {}) {
  const clock = new ManualClock();
  const upstream = await startRecordingUpstream();
  cleanups.push(() => upstream.close());
  const keyVerifier =
    options.keystore === undefined
      ? undefined
      : new CachingKeyVerifier({
          keystore: options.keystore,
          breaker: new CircuitBreaker({ failureThreshold: 5, coolDownMs: 1_000, clock }),
          metrics: new KeyLookupMetrics(new Registry()),
          clock,
          cacheMaxKeys: 20,
          cacheTtlMs: 60_000,
          negativeTtlMs: 60_000,
          staleIfErrorMs: 0,
        });
  const proxy = await startProxy({ upstreamUrl: upstream.url, env: options.env, clock, keyVerifier });
  cleanups.push(() => proxy.close());
  proxy.verifier.add(valid, { environment: 'live' });
  return { proxy, clock, upstream };
}

const request = (k: string, last = true) =>
  `GET /api/v1/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${k}\r\n${last ? 'Connection: close\r\n' : ''}\r\n`;

async function statuses(proxy: ProxyHarness, data: string, from = ATTACKER) {
  const { text } = await rawExchange(proxy.url, data, { localAddress: from });
  return parseResponses(text);
}

async function sequentially(proxy: ProxyHarness, keys: string[], from = ATTACKER) {
  const out: number[] = [];
  for (const k of keys) out.push(...(await statuses(proxy, request(k), from)).map((r) => r.status));
  return out;
}

/** The keystore knows `valid` (an ordinary live key). */
function knowValid(keystore: MemoryKeystoreClient): void {
  keystore.put(hash(valid), {
    id: 'key_v',
    accountId: 'acct_v',
    environment: 'live',
    expiresAt: null,
    rateLimit: null,
  });
}

const randomKeys = (n: number) => Array.from({ length: n }, () => makeTestKey('live').key);

describe('failed-authentication budget per client', () => {
  it('answers 429 with Retry-After past the budget, before any lookup, and spares other clients', async () => {
    const { proxy, clock, upstream } = await setup({ env: { AUTH_FAILURE_LIMIT: '5' } });
    expect(await sequentially(proxy, [...randomKeys(4), 'sk_live_malformed'])).toEqual([401, 401, 401, 401, 401]);
    const lookups = proxy.verifier.lookups.length;

    const [blocked] = await statuses(proxy, request(randomKeys(1)[0]!));
    expect(blocked).toMatchObject({ status: 429, body: LIMITED, headers: { 'retry-after': '12' } });
    // Even a valid key waits: the budget is checked before the key is looked at.
    expect((await statuses(proxy, request(valid)))[0]!.status).toBe(429);
    expect(proxy.verifier.lookups.length).toBe(lookups);

    expect((await statuses(proxy, request(valid), BYSTANDER))[0]!.status).toBe(200);
    clock.advance(12_000);
    expect((await statuses(proxy, request(valid)))[0]!.status).toBe(200);
    expect(upstream.requests).toHaveLength(2);

    const metrics = await (await fetch(`${proxy.adminUrl}/metrics`)).text();
    expect(metrics).toContain('routemcp_proxy_requests_total{outcome="AUTH_FAILURES_LIMITED"} 2');
  });

  it('holds a token per in-flight attempt, so pipelined guesses cannot outrun the budget', async () => {
    const { proxy } = await setup({ env: { AUTH_FAILURE_LIMIT: '5' } });
    await sequentially(proxy, randomKeys(1));
    let open!: () => void;
    proxy.verifier.gate = new Promise<void>((resolve) => (open = resolve));
    const keys = randomKeys(30);
    const answer = statuses(proxy, keys.map((k, i) => request(k, i === keys.length - 1)).join(''));
    await expect.poll(() => proxy.verifier.lookups.length, { interval: 10 }).toBe(5);
    open();
    const codes = (await answer).map((r) => r.status);
    expect(codes).toEqual([...Array<number>(4).fill(401), ...Array<number>(26).fill(429)]);
    expect(proxy.verifier.lookups).toHaveLength(5);
  });

  it('is off at AUTH_FAILURE_LIMIT=0', async () => {
    const { proxy } = await setup({ env: { AUTH_FAILURE_LIMIT: '0' } });
    expect(new Set(await sequentially(proxy, randomKeys(20)))).toEqual(new Set([401]));
  });
});

describe('key enumeration against the real cache', () => {
  it('one unknown key repeated costs one keystore lookup (negative cache)', async () => {
    const keystore = new MemoryKeystoreClient();
    const { proxy } = await setup({ keystore });
    const unknown = randomKeys(1)[0]!;
    const pipelined = Array.from({ length: 100 }, (_, i) => request(unknown, i === 99)).join('');
    expect(new Set((await statuses(proxy, pipelined)).map((r) => r.status))).toEqual(new Set([401]));
    expect(new Set(await sequentially(proxy, Array<string>(20).fill(unknown)))).toEqual(new Set([401]));
    expect(keystore.calls).toBe(1);
  });

  it('a flood of distinct random keys costs at most the budget in lookups; valid keys stay cached', async () => {
    const keystore = new MemoryKeystoreClient();
    const { proxy } = await setup({ keystore, env: { AUTH_FAILURE_LIMIT: '50' } });
    knowValid(keystore);
    expect(await sequentially(proxy, [valid], BYSTANDER)).toEqual([200]);

    const codes = await sequentially(proxy, randomKeys(300));
    expect(codes.filter((c) => c === 401)).toHaveLength(50);
    expect(codes.filter((c) => c === 429)).toHaveLength(250);
    expect(keystore.calls).toBe(1 + 50);

    // More unknown keys than the cache holds went by; the valid one is still a hit.
    expect(await sequentially(proxy, [valid, valid], BYSTANDER)).toEqual([200, 200]);
    expect(keystore.calls).toBe(1 + 50);
  });
});

describe('timing: a key is never compared, only its SHA-256 is looked up', () => {
  it('a right-prefix, wrong-tail guess takes exactly the path of a random unknown key', async () => {
    const keystore = new MemoryKeystoreClient();
    const asked: string[] = [];
    const lookup = keystore.lookup.bind(keystore);
    keystore.lookup = (keyHash) => {
      asked.push(keyHash);
      return lookup(keyHash);
    };
    knowValid(keystore);
    const { proxy } = await setup({ keystore });
    expect(await sequentially(proxy, [valid])).toEqual([200]);

    const guess = nearMiss(valid);
    const random = randomKeys(1)[0]!;
    const [near] = await statuses(proxy, request(guess));
    const [far] = await statuses(proxy, request(random));

    // The keystore is asked for the digest of the whole key and nothing else, once per key:
    // no prefix, id or partial match exists anywhere that could make a close guess cheaper or dearer.
    expect(asked).toEqual([hash(valid), hash(guess), hash(random)]);
    // And the two refusals are the same bytes, apart from the request id and the date.
    const comparable = (r: typeof near) => ({
      status: r!.status,
      body: r!.body,
      headers: Object.fromEntries(
        Object.entries(r!.headers).filter(([name]) => !['x-request-id', 'date'].includes(name)),
      ),
    });
    expect(comparable(near)).toEqual(comparable(far));
    expect(near!.status).toBe(401);
  });
});
