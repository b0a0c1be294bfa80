import type { ServerResponse } from 'node:http';
import { makeTestKey } from '@routemcp/api-key/testing';
import { errorBody } from '@routemcp/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keystoreLookups, sampleSum, scrape } from './admin-metrics.ts';
import { startHttpFixture } from './http-fixture.ts';
import { issueKey, issueSettledKey, ROOMY } from './issue-key.ts';
import { expectNoKeyLeaked } from './leaks.ts';
import { startStack, type Stack } from './stack.ts';
import { call, sleep, statusOf, until } from './traffic.ts';

const PATH = '/api/v1/contacts?provider=hubspot';
const INVALID_KEY_BODY = errorBody('INVALID_API_KEY');
const AUTH_UNAVAILABLE_BODY = errorBody('AUTH_UNAVAILABLE');

let stack: Stack;
const issued: string[] = [];
const adminUrls: string[] = [];

async function proxy(env: Record<string, string> = {}) {
  const started = await stack.startProxy(env);
  adminUrls.push(started.adminUrl);
  return started;
}

async function answer(url: string, key: string): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  const res = await call(url, PATH, key);
  return { status: res.status, body: await res.text(), ms: performance.now() - started };
}

/** Lookups the keystore itself logged (one access line per request, by route pattern). */
const keystoreSide = () => stack.apps.keystore.output().split('"route":"/internal/v1/keys/:hash"').length - 1;

/** The keystore's count since `before`, once its access line for at least one lookup has arrived. */
async function keystoreSideSince(before: number): Promise<number> {
  return await until(
    async () => keystoreSide() - before,
    (n) => n >= 1,
  );
}

beforeAll(async () => {
  stack = await startStack();
  adminUrls.push(stack.adminUrl);
});

afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

describe('lookups', () => {
  it('1000 concurrent first requests for one fresh key → one keystore lookup, 1000 × 200', async () => {
    const p = await proxy();
    // Its "created" event evicts the hash; it lands first so only the stampede counts.
    const { key } = await issueSettledKey(stack, issued, { environment: 'live', rateLimit: ROOMY }, [p.adminUrl]);
    const before = await keystoreLookups(p.adminUrl);
    const atKeystore = keystoreSide();
    const statuses = await Promise.all(Array.from({ length: 1000 }, () => statusOf(p.url, PATH, key)));
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect((await keystoreLookups(p.adminUrl)) - before).toBe(1);
    expect(await keystoreSideSince(atKeystore)).toBe(1);
  });

  it('500 requests with one random well-formed unknown key → 500 × 401, one keystore lookup (negative TTL 60 s)', async () => {
    const p = await proxy({ CACHE_NEGATIVE_TTL_MS: '60000' });
    const unknown = makeTestKey('live').key;
    const before = await keystoreLookups(p.adminUrl);
    const atKeystore = keystoreSide();
    const bodies: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => answer(p.url, unknown)));
      for (const a of answers) bodies.push(`${a.status} ${a.body}`);
    }
    expect(new Set(bodies)).toEqual(new Set([`401 ${INVALID_KEY_BODY}`]));
    expect(bodies).toHaveLength(500);
    expect((await keystoreLookups(p.adminUrl)) - before).toBe(1);
    expect(await keystoreSideSince(atKeystore)).toBe(1);
  });
});

describe('keystore faults: a known key keeps working for the stale window, an unknown one is 503, never 401 or 200', () => {
  it('keystore killed (SIGKILL)', async () => {
    const p = await proxy({ CACHE_TTL_MS: '500' });
    const cached = await issueSettledKey(stack, issued, { environment: 'live', rateLimit: ROOMY }, [p.adminUrl]);
    const uncached = await issueKey(stack, issued, { environment: 'live', rateLimit: ROOMY });
    expect(await statusOf(p.url, PATH, cached.key)).toBe(200);
    await stack.apps.keystore.kill();
    // Past the positive TTL, so the 200 below can only come from the stale-if-error window.
    await sleep(700);
    const staleBefore = sampleSum(await scrape(p.adminUrl), 'routemcp_proxy_cache_lookups_total', { result: 'stale' });
    for (let i = 0; i < 10; i++) expect((await answer(p.url, cached.key)).status).toBe(200);
    expect(
      sampleSum(await scrape(p.adminUrl), 'routemcp_proxy_cache_lookups_total', { result: 'stale' }),
    ).toBeGreaterThan(staleBefore);
    for (const key of [uncached.key, makeTestKey('live').key, makeTestKey('test').key]) {
      const a = await answer(p.url, key);
      expect(`${a.status} ${a.body}`).toBe(`503 ${AUTH_UNAVAILABLE_BODY}`);
    }
    await stack.restartKeystore();
    expect(
      await until(
        () => statusOf(p.url, PATH, uncached.key),
        (s) => s === 200,
        { timeoutMs: 10_000, intervalMs: 100 },
      ),
    ).toBe(200);
  });

  it('keystore paused (SIGSTOP): answers still come within the keystore timeout', async () => {
    const p = await proxy({ CACHE_TTL_MS: '500' });
    const cached = await issueSettledKey(stack, issued, { environment: 'live', rateLimit: ROOMY }, [p.adminUrl]);
    const uncached = await issueKey(stack, issued, { environment: 'live', rateLimit: ROOMY });
    expect(await statusOf(p.url, PATH, cached.key)).toBe(200);
    stack.apps.keystore.pause();
    try {
      await sleep(700);
      for (let i = 0; i < 10; i++) {
        const a = await answer(p.url, cached.key);
        expect(a.status).toBe(200);
        // Liveness, not a benchmark: a hung keystore must not hang requests (KEYSTORE_TIMEOUT_MS is 250).
        expect(a.ms).toBeLessThan(2000);
      }
      for (const key of [uncached.key, makeTestKey('live').key]) {
        const a = await answer(p.url, key);
        expect(`${a.status} ${a.body}`).toBe(`503 ${AUTH_UNAVAILABLE_BODY}`);
        expect(a.ms).toBeLessThan(2000);
      }
    } finally {
      stack.apps.keystore.resume();
    }
    expect(
      await until(
        () => statusOf(p.url, PATH, uncached.key),
        (s) => s === 200,
        { timeoutMs: 10_000, intervalMs: 100 },
      ),
    ).toBe(200);
  });

  it('a keystore answering 5xx, garbage, the wrong shape or nothing → 503 for every uncached key; nothing reaches the upstream', async () => {
    let reply: (res: ServerResponse) => void = () => undefined;
    await using fake = await startHttpFixture((req, res) => {
      if (req.url?.startsWith('/internal/v1/events')) return void res.writeHead(503).end();
      reply(res);
    });
    const lookups = () => fake.requests.filter((r) => r.url.startsWith('/internal/v1/keys/')).length;
    await using upstream = await startHttpFixture((_req, res) => void res.end('{"success":true,"data":null}'));
    const json = (body: string) => (res: ServerResponse) =>
      void res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    const replies: [string, (res: ServerResponse) => void][] = [
      ['500', (res) => void res.writeHead(500, { 'content-type': 'application/json' }).end('{"success":false}')],
      ['502 html', (res) => void res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>')],
      ['bad JSON', json('{"success":true,"data":{')],
      ['wrong shape', json('{"success":true,"data":{"id":"key_1","status":"active"}}')],
      [
        'an active record with a bad environment',
        json(
          '{"success":true,"data":{"id":"key_1","accountId":"acct_1","environment":"prod","status":"active","expiresAt":null,"rateLimit":null}}',
        ),
      ],
      [
        'headers, then silence',
        (res) => void res.writeHead(200, { 'content-type': 'application/json' }).write('{"success":'),
      ],
      ['silence', () => undefined],
    ];
    const seen: Record<string, string> = {};
    // Four per proxy: its breaker opens after five failures, and every reply must really be tried.
    for (let from = 0; from < replies.length; from += 4) {
      const p = await proxy({ KEYSTORE_URL: fake.url, UPSTREAM_URL: upstream.url, UPSTREAM_TEST_URL: upstream.url });
      for (const [name, behaviour] of replies.slice(from, from + 4)) {
        reply = behaviour;
        const lookupsBefore = lookups();
        const a = await answer(p.url, makeTestKey('live').key);
        seen[name] = `${a.status} ${a.body}`;
        expect(lookups(), `${name} reached the fake keystore`).toBe(lookupsBefore + 1);
      }
    }
    expect(seen).toEqual(Object.fromEntries(replies.map(([name]) => [name, `503 ${AUTH_UNAVAILABLE_BODY}`])));
    expect(upstream.requests).toEqual([]);
  });
});

describe('expiry', () => {
  it('a cached key is refused once its expiresAt passes, by the proxy alone (keystore dead, 10 min cache TTL)', async () => {
    const p = await proxy({ CACHE_TTL_MS: '600000' });
    const expiresAt = Date.now() + 3000;
    const { key } = await issueSettledKey(
      stack,
      issued,
      { environment: 'live', rateLimit: ROOMY, expiresAt: new Date(expiresAt).toISOString() },
      [p.adminUrl],
    );
    expect(await statusOf(p.url, PATH, key)).toBe(200);
    // No keystore: no expiry event, no lookup. Only the proxy's own check can refuse it now.
    await stack.apps.keystore.kill();
    try {
      if (Date.now() < expiresAt - 500) expect(await statusOf(p.url, PATH, key)).toBe(200);
      let last = await answer(p.url, key);
      while (last.status === 200 && Date.now() < expiresAt + 5000) {
        await sleep(25);
        last = await answer(p.url, key);
      }
      const refusedAt = Date.now();
      expect(`${last.status} ${last.body}`).toBe(`401 ${INVALID_KEY_BODY}`);
      // The answer that came back 401 was sent after (or just as) the key expired.
      expect(refusedAt).toBeGreaterThanOrEqual(expiresAt);
      expect(refusedAt - expiresAt).toBeLessThan(2000);
    } finally {
      await stack.restartKeystore();
    }
  });
});

describe('secrets', () => {
  it('no issued key in the logs of any app or the /metrics of any proxy', async () => {
    await expectNoKeyLeaked(stack, issued, adminUrls);
  });
});
