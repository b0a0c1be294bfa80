import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '@routemcp/api-key';
import { ProcessGroup } from '@routemcp/process-group';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingReferences, parseExposition, type Exported } from './exported-metrics.ts';
import { startLiveStack, type LiveStack } from './live-stack.ts';
import { monitoringExpressions } from './monitoring-files.ts';
import { promqlReferences, withGrafanaMacros } from './promql-references.ts';

const group = new ProcessGroup();
const dir = mkdtempSync(join(tmpdir(), 'routemcp-metrics-'));
let stack: LiveStack;
let proxyScrape = '';
let keystoreMetrics: { status: number; text: string };
const exported: { proxy: Exported; keystore: Exported } = { proxy: new Map(), keystore: new Map() };

/** One request on a connection of its own, so the cluster's round robin spreads them over both workers. */
function get(url: string, key?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: key === undefined ? {} : { authorization: `Bearer ${key}` } });
    req.setTimeout(5000, () => req.destroy(new Error(`no answer from ${url} within 5 s`)));
    req.once('error', reject);
    req.once('response', (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.end();
  });
}

const times = <T>(count: number, make: () => Promise<T>) => Promise.all(Array.from({ length: count }, make));

/**
 * Traffic that makes every series and label value the alerts and panels
 * name, many of which exist only once something failed: forwarded requests,
 * refused keys (one unknown key asked for again: a negative hit), a bucket
 * of 1 answering 429; keys refused by an IP allow-list, by their
 * permissions and by a spent quota; Redis paused (takes time out, then its
 * breaker opens: fallback decisions); the keystore paused (a cached key past its TTL is
 * served stale, uncached keys get 503 AUTH_UNAVAILABLE until the breaker
 * opens); the api paused past UPSTREAM_TIMEOUT_MS (504), then killed (502).
 */
beforeAll(async () => {
  stack = await startLiveStack(group, {
    dir,
    proxyEnv: { UPSTREAM_TIMEOUT_MS: '500', USAGE_FLUSH_INTERVAL_MS: '200', CACHE_TTL_MS: '500' },
  });
  const url = `${stack.proxyUrl}/api/v1/contact?provider=hubspot`;
  const roomy = await stack.createKey({ environment: 'live', rateLimit: { capacity: 1000, refillPerSecond: 100 } });
  const tiny = await stack.createKey({ environment: 'test', rateLimit: { capacity: 1, refillPerSecond: 0.01 } });
  const unknown = generate('live');
  expect(new Set(await times(10, () => get(url, roomy)))).toEqual(new Set([200]));
  expect([await get(url, tiny), await get(url, tiny)]).toEqual([200, 429]);
  // Each policy refusal has its own outcome label (the client sees 403 FORBIDDEN or 429).
  const elsewhere = await stack.createKey({ environment: 'live', allowedIps: ['192.0.2.0/24'] });
  const readOnly = await stack.createKey({ environment: 'live', permissions: ['GET /api/v1/other'] });
  const once = await stack.createKey({ environment: 'live', quota: { limit: 1, period: 'total' } });
  expect([await get(url, elsewhere), await get(url, readOnly)]).toEqual([403, 403]);
  expect([await get(url, once), await get(url, once)]).toEqual([200, 429]);
  for (const key of ['sk_live_malformed', unknown, unknown, unknown, unknown]) expect(await get(url, key)).toBe(401);
  expect(await get(url)).toBe(401);

  stack.processes.redis.pause();
  for (let i = 0; i < 14; i++) expect(await get(url, roomy)).toBe(200);
  stack.processes.redis.resume();

  stack.processes.keystore.pause();
  await new Promise((done) => setTimeout(done, 600));
  for (const status of await times(4, () => get(url, roomy))) expect(status).toBe(200);
  expect(new Set(await times(14, () => get(url, generate('live'))))).toEqual(new Set([503]));
  stack.processes.keystore.resume();

  stack.processes.api.pause();
  expect(await get(url, roomy)).toBe(504);
  await stack.processes.api.kill();
  expect(await get(url, roomy)).toBe(502);

  await new Promise((done) => setTimeout(done, 500));
  const scrape = await fetch(`${stack.adminUrl}/metrics`);
  expect(scrape.status).toBe(200);
  proxyScrape = await scrape.text();
  parseExposition(proxyScrape, exported.proxy);
  const keystore = await fetch(`${stack.keystoreUrl}/metrics`);
  keystoreMetrics = { status: keystore.status, text: await keystore.text() };
  parseExposition(keystoreMetrics.text, exported.keystore);
}, 90_000);

afterAll(async () => {
  await group.stopAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('what the dashboard and the alerts read is what the apps export', () => {
  it.each(monitoringExpressions().map(({ where, expr }) => [where, expr]))('%s', (_where, expr) => {
    const refs = promqlReferences(withGrafanaMacros(expr));
    // Keystore series come from its own scrape; every other series is the proxy's.
    const isKeystore = (metric: string) => metric.startsWith('routemcp_keystore_');
    const part = (keystore: boolean) => ({
      selectors: refs.selectors.filter((s) => isKeystore(s.metric) === keystore),
      groupings: refs.groupings
        .map((g) => ({ ...g, selectors: g.selectors.filter((s) => isKeystore(s.metric) === keystore) }))
        .filter((g) => g.selectors.length > 0),
    });
    expect([
      ...missingReferences(part(false), exported.proxy),
      ...missingReferences(part(true), exported.keystore),
    ]).toEqual([]);
  });

  it('scraped a proxy with two workers, so the cluster series are there too', () => {
    expect(proxyScrape).toMatch(/^routemcp_proxy_workers 2$/m);
    expect(proxyScrape).toMatch(/^routemcp_proxy_worker_restarts_total 0$/m);
  });

  it('scraped the keystore too: its answers by route, its database and its event streams', () => {
    expect(keystoreMetrics.status).toBe(200);
    expect(keystoreMetrics.text).toMatch(/^routemcp_keystore_database_up 1$/m);
    // The proxy's two workers each hold one event stream.
    expect(keystoreMetrics.text).toMatch(/^routemcp_keystore_event_streams 2$/m);
    expect(keystoreMetrics.text).toMatch(
      /^routemcp_keystore_http_requests_total\{route="\/internal\/v1\/keys\/:hash",method="GET",status="200"\} [1-9]/m,
    );
  });

  it('never puts a key into the metrics', () => {
    expect(proxyScrape).not.toMatch(/sk_(live|test)_/);
    expect(keystoreMetrics.text).not.toMatch(/sk_(live|test)_/);
  });
});
