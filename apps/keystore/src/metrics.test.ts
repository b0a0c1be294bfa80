import { describe, expect, it } from 'vitest';
import { KeystoreMetrics } from './metrics.ts';
import { connectSse } from './testing/sse-client.ts';
import { SERVICE_TOKEN, startKeystore } from './testing/keystore-harness.ts';

/** One sample's value from Prometheus text, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const scrape = async (baseUrl: string) => {
  const res = await fetch(`${baseUrl}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
};

describe('GET /metrics', () => {
  it("prefixes Node's process metrics, so they never mix into the proxies' process panels", () => {
    const metrics = new KeystoreMetrics({ eventStreams: () => 0, ping: async () => {}, processMetrics: true });
    const names = metrics.registry.getMetricsAsArray().map((metric) => metric.name);
    expect(names).toContain('routemcp_keystore_process_resident_memory_bytes');
    expect(names.filter((name) => !name.startsWith('routemcp_keystore_'))).toEqual([]);
  });

  it('counts answers by route pattern, method and status, and times them, with no key, hash or id in a label', async () => {
    await using ks = await startKeystore();
    const created = await ks.admin('/v1/keys', { method: 'POST', json: { environment: 'live' } });
    expect(created.status).toBe(201);
    const { data } = (await created.json()) as { data: { id: string; key: string } };
    expect((await ks.admin(`/v1/keys/${data.id}`)).status).toBe(200);
    expect((await ks.service(`/internal/v1/keys/${'0'.repeat(64)}`)).status).toBe(404);
    expect((await fetch(`${ks.baseUrl}/no/such/${data.key}`)).status).toBe(404);

    const text = await scrape(ks.baseUrl);
    expect(sample(text, 'routemcp_keystore_http_requests_total{route="/v1/keys",method="POST",status="201"}')).toBe(1);
    expect(sample(text, 'routemcp_keystore_http_requests_total{route="/v1/keys/:id",method="GET",status="200"}')).toBe(
      1,
    );
    expect(
      sample(text, 'routemcp_keystore_http_requests_total{route="/internal/v1/keys/:hash",method="GET",status="404"}'),
    ).toBe(1);
    expect(sample(text, 'routemcp_keystore_http_requests_total{route="(unmatched)",method="GET",status="404"}')).toBe(
      1,
    );
    expect(sample(text, 'routemcp_keystore_http_request_duration_seconds_count{route="/v1/keys"}')).toBe(1);
    expect(text).not.toContain(data.id);
    expect(text).not.toMatch(/sk_(live|test)_/);
  });

  it('reports the connected event streams, the events sent to them, and whether the database answers', async () => {
    await using ks = await startKeystore({ pollIntervalMs: 20 });
    const stream = await connectSse(`${ks.baseUrl}/internal/v1/events`, { authorization: `Bearer ${SERVICE_TOKEN}` });
    try {
      await stream.next((m) => m.event === 'hello');
      let text = await scrape(ks.baseUrl);
      expect(sample(text, 'routemcp_keystore_event_streams')).toBe(1);
      expect(sample(text, 'routemcp_keystore_database_up')).toBe(1);
      const before = sample(text, 'routemcp_keystore_events_published_total') ?? NaN;

      expect((await ks.admin('/v1/keys', { method: 'POST', json: { environment: 'test' } })).status).toBe(201);
      await stream.next((m) => m.event === 'key');
      text = await scrape(ks.baseUrl);
      expect(sample(text, 'routemcp_keystore_events_published_total')).toBe(before + 1);
    } finally {
      stream.close();
    }
    // The stream is counted when it ends; it is never timed (its duration is the connection's).
    await expect.poll(async () => sample(await scrape(ks.baseUrl), 'routemcp_keystore_event_streams')).toBe(0);
    const text = await scrape(ks.baseUrl);
    expect(text).toMatch(
      /^routemcp_keystore_http_requests_total\{route="\/internal\/v1\/events",method="GET",status="200"\} 1$/m,
    );
    expect(text).not.toContain('routemcp_keystore_http_request_duration_seconds_count{route="/internal/v1/events"}');

    await ks.storage.close();
    expect(sample(await scrape(ks.baseUrl), 'routemcp_keystore_database_up')).toBe(0);
  });
});
