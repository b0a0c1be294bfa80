import { randomBytes } from 'node:crypto';
import { makeTestKey } from '@routemcp/api-key/testing';
import { installRecordingTracing, type RecordingTracing } from '@routemcp/tracing/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRequest } from '../testing/http-request.ts';
import { startProxy } from '../testing/proxy-harness.ts';
import { startRecordingUpstream, type RecordingUpstream } from '../testing/recording-upstream.ts';

const key = makeTestKey('live');
let upstream: RecordingUpstream;
let recording: RecordingTracing;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  // The API's global SDK: anything on the request path that reached for OpenTelemetry would be counted here.
  recording = installRecordingTracing();
});

afterAll(async () => {
  await recording[Symbol.asyncDispose]();
  await upstream.close();
});

const traceparent = () => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;

/** One proxied request, one refusal and one forward-auth decision, each with a caller's traceparent. */
async function traffic(proxy: Awaited<ReturnType<typeof startProxy>>): Promise<string> {
  const sent = traceparent();
  const auth = { authorization: `Bearer ${key.key}` };
  expect((await sendRequest(`${proxy.url}/a?q=1`, { headers: { ...auth, traceparent: sent } })).status).toBe(200);
  expect((await sendRequest(`${proxy.url}/a`, { headers: { traceparent: traceparent() } })).status).toBe(401);
  const authz = { ...auth, 'x-forwarded-uri': '/a', 'x-forwarded-method': 'GET', traceparent: traceparent() };
  expect((await sendRequest(`${proxy.authzUrl}/authz`, { headers: authz })).status).toBe(200);
  return sent;
}

describe('tracing off (no OTLP endpoint)', () => {
  it("starts no span on any entrance, and hands the caller's traceparent on as it came", async () => {
    const proxy = await startProxy({ upstreamUrl: upstream.url });
    try {
      proxy.verifier.add(key.key, { environment: 'live' });
      recording.reset();
      const sent = await traffic(proxy);
      expect(recording.started()).toBe(0);
      expect(upstream.requests.at(-1)!.headers.traceparent).toBe(sent);
    } finally {
      await proxy.close();
    }
  });

  it('the same traffic with tracing on starts a span per exchange (what the count above would see)', async () => {
    const proxy = await startProxy({ upstreamUrl: upstream.url, tracing: recording.tracing });
    try {
      proxy.verifier.add(key.key, { environment: 'live' });
      recording.reset();
      const sent = await traffic(proxy);
      expect(recording.started()).toBe(3);
      const [, traceId, parentId] = String(upstream.requests.at(-1)!.headers.traceparent).split('-');
      expect(traceId).toBe(sent.split('-')[1]);
      expect(parentId).not.toBe(sent.split('-')[2]);
      const statuses = recording.finished().map((span) => Number(span.attributes['http.response.status_code']));
      expect(statuses.sort()).toEqual([200, 200, 401]);
    } finally {
      await proxy.close();
    }
  });
});
