import { randomBytes } from 'node:crypto';
import { types } from 'node:util';
import { SpanKind } from '@opentelemetry/api';
import { hash } from '@routemcp/api-key';
import { installRecordingTracing, type RecordingTracing } from '@routemcp/tracing/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeystore, type Harness } from '../testing/keystore-harness.ts';

let recording: RecordingTracing;

beforeAll(() => {
  // The API's global SDK: any span started in this process, by any tracer, is counted here.
  recording = installRecordingTracing();
});
afterAll(() => recording[Symbol.asyncDispose]());

const traceparent = () => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;

/** A lookup as the proxy makes it, and every key route of the management API, each with a caller's traceparent. */
async function traffic(ks: Harness): Promise<{ key: string; id: string; hint: string }> {
  const headers = () => ({ traceparent: traceparent() });
  const created = await ks.admin('/v1/keys', { method: 'POST', headers: headers(), json: { environment: 'live' } });
  expect(created.status).toBe(201);
  const { data } = (await created.json()) as { data: { key: string; id: string; hint: string } };
  expect((await ks.service(`/internal/v1/keys/${hash(data.key)}`, { headers: headers() })).status).toBe(200);
  expect((await ks.admin('/v1/keys', { headers: headers() })).status).toBe(200);
  const patch = { method: 'PATCH', headers: headers(), json: { name: 'renamed' } };
  expect((await ks.admin(`/v1/keys/${data.id}`, patch)).status).toBe(200);
  const rolled = await ks.admin(`/v1/keys/${data.id}/roll`, { method: 'POST', headers: headers(), json: {} });
  expect(rolled.status).toBe(201);
  const next = ((await rolled.json()) as { data: { id: string } }).data.id;
  expect((await ks.admin(`/v1/keys/${next}/revoke`, { method: 'POST', headers: headers() })).status).toBe(200);
  return data;
}

describe('database spans', () => {
  it('tracing on: each request span has its store calls as CLIENT children, which carry no key, hash or hint', async () => {
    await using ks = await startKeystore({ tracing: recording.tracing });
    expect(types.isProxy(ks.app.storage.keys)).toBe(true);
    recording.reset();
    const issued = await traffic(ks);
    const servers = () => recording.finished().filter((span) => span.kind === SpanKind.SERVER);
    await recording.until(() => servers().length === 6, 'six request spans ended');

    const operationsUnder = (route: string) => {
      const server = servers().find((span) => span.name === route)!;
      return recording
        .finished()
        .filter(
          (span) => span.kind === SpanKind.CLIENT && span.parentSpanContext?.spanId === server.spanContext().spanId,
        )
        .map((span) => span.attributes['db.operation.name']);
    };
    expect(operationsUnder('GET /internal/v1/keys/:hash')).toContain('findByHash');
    expect(operationsUnder('POST /v1/keys')).toContain('createKey');
    expect(operationsUnder('GET /v1/keys')).toContain('listKeys');
    expect(operationsUnder('PATCH /v1/keys/:id')).toContain('updateKey');
    expect(operationsUnder('POST /v1/keys/:id/roll')).toContain('rollKey');
    expect(operationsUnder('POST /v1/keys/:id/revoke')).toContain('revokeKey');

    // What the changes set off (the event log read for the streams, the webhook outbox claim) is no request's.
    await ks.app.hub.pump();
    await ks.app.dispatcher.drain();
    const operations = recording.finished().map((span) => span.attributes['db.operation.name']);
    expect(operations).not.toContain('eventsAfter');
    expect(operations).not.toContain('claimDue');

    const lookup = recording.finished().find((span) => span.attributes['db.operation.name'] === 'findByHash')!;
    expect(lookup.name).toBe('findByHash');
    expect(lookup.attributes).toEqual({ 'db.system.name': 'sqlite', 'db.operation.name': 'findByHash' });
    const recorded = JSON.stringify(recording.finished().map((span) => [span.name, span.attributes, span.events]));
    for (const secret of [issued.key, hash(issued.key), issued.hint])
      expect(recorded.includes(secret), `a span holds ${secret.slice(0, 8)}…`).toBe(false);
  });

  it('tracing off: the stores are not wrapped, and the same traffic starts no span at all', async () => {
    await using ks = await startKeystore();
    expect(ks.app.storage).toBe(ks.storage);
    expect(ks.app.storage.keys).toBe(ks.store);
    recording.reset();
    await traffic(ks);
    expect(recording.started()).toBe(0);
  });
});
