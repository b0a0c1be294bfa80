import { connect } from 'node:net';
import { makeTestKey } from '@routemcp/api-key/testing';
import { installRecordingTracing, type RecordingTracing } from '@routemcp/tracing/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRequest } from '../testing/http-request.ts';
import { startProxy, type ProxyHarness } from '../testing/proxy-harness.ts';
import { startRecordingUpstream, type RecordingUpstream } from '../testing/recording-upstream.ts';
import { until } from '../testing/until.ts';

const key = makeTestKey('live');
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${CALLER_SPAN}-01`;
let upstream: RecordingUpstream;
let recording: RecordingTracing;
let proxy: ProxyHarness;
let keyId: string;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  recording = installRecordingTracing();
  proxy = await startProxy({ upstreamUrl: upstream.url, tracing: recording.tracing });
  keyId = proxy.verifier.add(key.key, { environment: 'live' }).id;
});

afterAll(async () => {
  await proxy.close();
  await recording[Symbol.asyncDispose]();
  await upstream.close();
});

/** Sends a WebSocket handshake and resolves with the status line once the answer's head arrives. */
function upgrade(authorization: string | null): Promise<string> {
  const { port } = new URL(proxy.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () =>
      socket.write(
        'GET /ws?token=1 HTTP/1.1\r\nHost: localhost:8080\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
          `traceparent: ${TRACEPARENT}\r\n` +
          (authorization === null ? '' : `Authorization: ${authorization}\r\n`) +
          '\r\n',
      ),
    );
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString();
      if (!received.includes('\r\n\r\n')) return;
      socket.destroy();
      resolve(received.slice(0, received.indexOf('\r\n')));
    });
    socket.on('error', reject);
  });
}

/** The SERVER spans ended for `entrance`, once there are `count`: a span ends when the recorder records its exchange. */
async function spansOf(entrance: string, count: number) {
  const of = () => recording.finished().filter((span) => span.attributes['routemcp.entrance'] === entrance);
  await until(recording.changes, () => of().length >= count, `${count} ${entrance} span(s) ended`);
  return of();
}

describe('the SERVER span of each exchange', () => {
  it('carries the HTTP attributes, the key id, and the canonical path without its query', async () => {
    recording.reset();
    const res = await sendRequest(`${proxy.url}/a/./b?token=1`, {
      headers: { authorization: `Bearer ${key.key}`, host: 'api.example:8080', traceparent: TRACEPARENT },
    });
    expect(res.status).toBe(200);
    const [span] = await spansOf('proxy', 1);
    expect(span!.spanContext().traceId).toBe(TRACE_ID);
    expect(span!.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(span!.attributes).toEqual({
      'routemcp.entrance': 'proxy',
      'server.address': 'api.example',
      'http.request.method': 'GET',
      'url.path': '/a/b',
      'http.response.status_code': 200,
      'routemcp.key.id': keyId,
    });
  });

  it('a WebSocket upgrade: its span is the upstream handshake’s parent and ends with the 101', async () => {
    recording.reset();
    expect(await upgrade(`Bearer ${key.key}`)).toBe('HTTP/1.1 101 Switching Protocols');
    const [span] = await spansOf('websocket', 1);
    expect(span!.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.path': '/ws',
      'http.response.status_code': 101,
      'routemcp.key.id': keyId,
    });
    expect(span!.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    const handshake = upstream.requests.at(-1)!;
    expect(handshake.headers.traceparent).toBe(`00-${TRACE_ID}-${span!.spanContext().spanId}-01`);
  });

  it('a refused upgrade ends with its status and refusal code', async () => {
    recording.reset();
    expect(await upgrade('Bearer sk_live_nope')).toMatch(/^HTTP\/1\.1 401 /);
    const [span] = await spansOf('websocket', 1);
    expect(span!.attributes).toMatchObject({
      'http.response.status_code': 401,
      'routemcp.refusal.code': 'INVALID_API_KEY',
    });
    expect(span!.attributes['routemcp.key.id']).toBeUndefined();
  });
});
