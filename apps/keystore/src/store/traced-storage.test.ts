import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { rawHeadersGetter, startServerSpan } from '@routemcp/tracing';
import { installRecordingTracing } from '@routemcp/tracing/testing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStorage } from './sqlite/sqlite-storage.ts';
import { databaseAttributes, traceStorage } from './traced-storage.ts';

const recording = installRecordingTracing();
afterAll(() => recording[Symbol.asyncDispose]());
beforeEach(() => recording.reset());

const HASH = 'a'.repeat(64);

/** Runs `work` inside a request's SERVER span, as the keystore's HTTP edge does. */
async function inRequest<T>(work: () => Promise<T>): Promise<T> {
  const { span, context: active } = startServerSpan(recording.tracing, 'GET /x', [], rawHeadersGetter, {});
  try {
    return await context.with(active, work);
  } finally {
    span.end();
  }
}

const clientSpans = () => recording.finished().filter((span) => span.kind === SpanKind.CLIENT);

describe('traceStorage', () => {
  it('makes a store call under a request a CLIENT span named after the method, without its arguments', async () => {
    const raw = new SqliteStorage({ path: ':memory:', now: 0 });
    const storage = traceStorage(raw, recording.tracing, { engine: 'sqlite', path: ':memory:' });
    try {
      expect(await inRequest(() => storage.keys.findByHash(HASH))).toBeUndefined();
      await inRequest(() => storage.ping());
      await inRequest(() => storage.accounts.findUserByEmail('someone@example.com'));
      expect(clientSpans().map((span) => [span.name, span.attributes])).toEqual([
        ['findByHash', { 'db.system.name': 'sqlite', 'db.operation.name': 'findByHash' }],
        ['ping', { 'db.system.name': 'sqlite', 'db.operation.name': 'ping' }],
        ['findUserByEmail', { 'db.system.name': 'sqlite', 'db.operation.name': 'findUserByEmail' }],
      ]);
      expect(storage.keys.epoch).toBe(raw.keys.epoch);
      expect(JSON.stringify(recording.finished().map((span) => span.attributes))).not.toMatch(/aaaa|example\.com/);
    } finally {
      await storage.close();
    }
  });

  it('marks a failed call ERROR with its error class, never its message', async () => {
    const raw = new SqliteStorage({ path: ':memory:', now: 0 });
    const storage = traceStorage(raw, recording.tracing, undefined);
    await storage.close();
    await expect(inRequest(() => storage.keys.findByHash(HASH))).rejects.toThrow();
    const [span] = clientSpans();
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR });
    // node:sqlite's code for a closed database; its message is not recorded.
    expect(span!.attributes['error.type']).toBe('ERR_INVALID_STATE');
    expect(span!.events).toEqual([]);
  });

  it('starts no span for a call outside any request (the event poll, maintenance)', async () => {
    const storage = traceStorage(new SqliteStorage({ path: ':memory:', now: 0 }), recording.tracing, undefined);
    try {
      await storage.keys.latestSeq();
      expect(recording.started()).toBe(0);
    } finally {
      await storage.close();
    }
  });
});

describe('databaseAttributes', () => {
  it('names PostgreSQL, its database and server from the URL, never its credentials', () => {
    const attributes = databaseAttributes('postgres', {
      engine: 'postgres',
      url: 'postgres://keystore:pa55word@db.internal:6432/routemcp?sslmode=require',
      poolSize: 10,
    });
    expect(attributes).toEqual({
      'db.system.name': 'postgresql',
      'db.namespace': 'routemcp',
      'server.address': 'db.internal',
      'server.port': 6432,
    });
    expect(databaseAttributes('postgres', { engine: 'postgres', url: 'postgresql://[::1]/k', poolSize: 1 })).toEqual({
      'db.system.name': 'postgresql',
      'db.namespace': 'k',
      'server.address': '::1',
      'server.port': 5432,
    });
  });

  it('names SQLite only: a file path is no namespace', () => {
    expect(databaseAttributes('sqlite', { engine: 'sqlite', path: '/data/keystore.sqlite' })).toEqual({
      'db.system.name': 'sqlite',
    });
    expect(databaseAttributes('postgres', undefined)).toEqual({ 'db.system.name': 'postgresql' });
  });
});
