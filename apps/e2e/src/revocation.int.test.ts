import { errorBody } from '@routemcp/errors';
import { startRedis } from '@routemcp/testing';
import { describe, expect, it } from 'vitest';
import { sampleSum, scrape } from './admin-metrics.ts';
import { issueKey, issueSettledKey, ROOMY } from './issue-key.ts';
import { keystoreCli } from './keystore-cli.ts';
import { expectNoKeyLeaked } from './leaks.ts';
import { startStack, type Stack } from './stack.ts';
import { call, sleep, statusOf, until } from './traffic.ts';

const PATH = '/api/v1/contacts?provider=hubspot';
const INVALID_KEY_BODY = errorBody('INVALID_API_KEY');

/**
 * Polls one proxy with `key` every few ms and returns the ms from `since`
 * to the first 401. Anything but 200 before that fails the test.
 */
async function msUntilUnauthorized(url: string, key: string, since: number, timeoutMs = 5000): Promise<number> {
  while (performance.now() - since < timeoutMs) {
    const res = await call(url, PATH, key);
    const body = await res.text();
    if (res.status === 401) {
      expect(body).toBe(INVALID_KEY_BODY);
      return performance.now() - since;
    }
    expect(res.status, body).toBe(200);
    await sleep(2);
  }
  return Number.POSITIVE_INFINITY;
}

/** Warms a key on every proxy, revokes it, and measures each proxy's time to its first 401. */
async function revokeAndMeasure(stack: Stack, proxyUrls: string[], issued: string[]): Promise<number[]> {
  const { id, key } = await issueKey(stack, issued, { environment: 'live', rateLimit: ROOMY });
  for (const url of proxyUrls) expect(await statusOf(url, PATH, key)).toBe(200);
  const revoked = await stack.manage('POST', `/v1/keys/${id}/revoke`);
  const since = performance.now();
  expect(revoked.status).toBe(200);
  return Promise.all(proxyUrls.map((url) => msUntilUnauthorized(url, key, since)));
}

describe('instant revocation at every proxy', () => {
  it('with Redis: two proxies on one keystore both answer 401 soon after the revoke response', async () => {
    const issued: string[] = [];
    await using redis = await startRedis();
    await using stack = await startStack({ redisUrl: redis.url, proxyEnv: { CACHE_TTL_MS: '600000' } });
    const second = await stack.startProxy();
    const ms = await revokeAndMeasure(stack, [stack.proxyUrl, second.url], issued);
    console.info(`revocation with Redis: first 401 after ${ms.map((m) => m.toFixed(1)).join(' ms, ')} ms`);
    // The issue's 100 ms p99 is the benchmark's; one run on a shared box gets a liveness bound.
    for (const m of ms) expect(m).toBeLessThan(1000);
    await expectNoKeyLeaked(stack, issued, [stack.adminUrl, second.adminUrl]);
  });

  it('without Redis (the embedded default): the same', async () => {
    const issued: string[] = [];
    await using stack = await startStack({ proxyEnv: { CACHE_TTL_MS: '600000' } });
    const second = await stack.startProxy();
    const ms = await revokeAndMeasure(stack, [stack.proxyUrl, second.url], issued);
    console.info(`revocation without Redis: first 401 after ${ms.map((m) => m.toFixed(1)).join(' ms, ')} ms`);
    for (const m of ms) expect(m).toBeLessThan(1000);
    await expectNoKeyLeaked(stack, issued, [stack.adminUrl, second.adminUrl]);
  });

  it('a proxy that missed the revoke while the keystore was down stops serving the key once it reconnects', async () => {
    const issued: string[] = [];
    // Positive entries live 10 minutes: only the event replay can explain a 401 within this test.
    await using stack = await startStack({ proxyEnv: { CACHE_TTL_MS: '600000' } });
    const { id, key } = await issueSettledKey(stack, issued, { environment: 'live', rateLimit: ROOMY }, [
      stack.adminUrl,
    ]);
    expect(await statusOf(stack.proxyUrl, PATH, key)).toBe(200);
    const revokedEventsBefore = sampleSum(await scrape(stack.adminUrl), 'routemcp_proxy_key_events_total', {
      type: 'revoked',
    });

    await stack.apps.keystore.kill();
    // The keystore is gone, so the revoke goes straight into its database.
    await keystoreCli(stack.keystoreDb, 'revoke', id);
    // Nobody told the proxy: the cached key still works (this is what the replay must fix).
    expect(await statusOf(stack.proxyUrl, PATH, key)).toBe(200);

    await stack.restartKeystore();
    const restarted = performance.now();
    const ms = await msUntilUnauthorized(stack.proxyUrl, key, restarted, 20_000);
    console.info(`revoked while disconnected: first 401 ${ms.toFixed(0)} ms after the keystore was back`);
    expect(ms).toBeLessThan(20_000);
    // Replayed from Last-Event-ID (same database, same epoch), not a guess from a TTL.
    const text = await scrape(stack.adminUrl);
    expect(sampleSum(text, 'routemcp_proxy_key_events_total', { type: 'revoked' })).toBeGreaterThan(
      revokedEventsBefore,
    );
    await expectNoKeyLeaked(stack, issued, [stack.adminUrl]);
  });
});

describe('roll', () => {
  it('the new key works at once, the old one until its grace period ends, then 401', async () => {
    const issued: string[] = [];
    await using stack = await startStack({ proxyEnv: { CACHE_TTL_MS: '600000' } });
    const old = await issueKey(stack, issued, { environment: 'test', rateLimit: ROOMY });
    expect(await statusOf(stack.proxyUrl, PATH, old.key)).toBe(200);

    const rolled = await stack.manage('POST', `/v1/keys/${old.id}/roll`, { gracePeriodSeconds: 2 });
    const since = performance.now();
    expect(rolled.status).toBe(201);
    const fresh: string = rolled.json.data.key;
    issued.push(fresh);
    expect(fresh).not.toBe(old.key);
    expect(await statusOf(stack.proxyUrl, PATH, fresh)).toBe(200);
    expect(await statusOf(stack.proxyUrl, PATH, old.key)).toBe(200);

    const last = await until(
      () => statusOf(stack.proxyUrl, PATH, old.key),
      (status) => status !== 200,
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    const ms = performance.now() - since;
    console.info(`roll with a 2 s grace: old key refused ${ms.toFixed(0)} ms after the roll response`);
    expect(last).toBe(401);
    // Not before the grace period (less the time the roll response took to reach us), and not long after.
    expect(ms).toBeGreaterThan(1500);
    expect(ms).toBeLessThan(6000);
    expect(await statusOf(stack.proxyUrl, PATH, fresh)).toBe(200);
    await expectNoKeyLeaked(stack, issued, [stack.adminUrl]);
  });
});
