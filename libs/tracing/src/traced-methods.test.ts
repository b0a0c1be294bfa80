import { context, SpanKind, SpanStatusCode, trace, TraceFlags, type Tracer } from '@opentelemetry/api';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { installRecordingTracing } from './recording-tracing.ts';
import { rawHeadersGetter, startServerSpan } from './spans.ts';
import { errorType, traceMethods } from './traced-methods.ts';

const recording = installRecordingTracing();
afterAll(() => recording[Symbol.asyncDispose]());
beforeEach(() => recording.reset());

class RowsError extends Error {
  override name = 'RowsError';
}

/** A store shaped like the keystore's: private state, async and sync methods, a plain property. */
class Store {
  readonly epoch = 'e1';
  readonly #rows = new Map([['h1', 'row-1']]);
  async find(hash: string): Promise<string | undefined> {
    return this.#rows.get(hash);
  }
  count(): number {
    return this.#rows.size;
  }
  async broken(hash: string): Promise<never> {
    throw new RowsError(`no row for ${hash}`);
  }
  explode(): never {
    throw Object.assign(new Error('constraint failed on value secret-1'), { code: '23505' });
  }
}

const traced = () =>
  traceMethods(new Store(), recording.tracing, (method) => ({
    name: method,
    attributes: { 'db.system.name': 'sqlite', 'db.operation.name': method },
  }));

/** Runs `work` inside a request's SERVER span; returns that span's id. */
async function inRequest(work: () => Promise<unknown>): Promise<string> {
  const { span, context: active } = startServerSpan(recording.tracing, 'GET /x', [], rawHeadersGetter, {});
  await context.with(active, work).catch(() => undefined);
  span.end();
  return span.spanContext().spanId;
}

describe('traceMethods', () => {
  it('makes each call under a request a CLIENT span, its child, with the attributes and nothing of the call', async () => {
    const store = traced();
    let found: string | undefined;
    const parent = await inRequest(async () => {
      found = await store.find('h1');
      expect(store.count()).toBe(1);
    });
    expect(found).toBe('row-1');
    const [find, count] = recording.finished().filter((span) => span.kind === SpanKind.CLIENT);
    expect(find).toMatchObject({
      name: 'find',
      attributes: { 'db.system.name': 'sqlite', 'db.operation.name': 'find' },
      status: { code: SpanStatusCode.UNSET },
    });
    expect(find!.parentSpanContext?.spanId).toBe(parent);
    expect(find!.ended).toBe(true);
    expect(count!.name).toBe('count');
    expect(JSON.stringify(recording.finished().map((span) => span.attributes))).not.toContain('h1');
  });

  it('starts no span for a call outside any request', async () => {
    const store = traced();
    expect(await store.find('h1')).toBe('row-1');
    expect(recording.started()).toBe(0);
  });

  it('starts no span, not even a non-recording one, under a request the sampler dropped or that has ended', async () => {
    let asked = 0;
    const tracer = new Proxy(recording.tracing.tracer, {
      get: (target, property: keyof Tracer) =>
        property === 'startSpan'
          ? (...args: Parameters<Tracer['startSpan']>) => {
              asked++;
              return target.startSpan(...args);
            }
          : target[property],
    });
    const store = traceMethods(new Store(), { ...recording.tracing, tracer }, (method) => ({
      name: method,
      attributes: {},
    }));
    const dropped = trace.setSpanContext(context.active(), {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.NONE,
    });
    expect(await context.with(dropped, () => store.find('h1'))).toBe('row-1');
    const { span, context: ended } = startServerSpan(recording.tracing, 'GET /x', [], rawHeadersGetter, {});
    span.end();
    expect(await context.with(ended, () => store.find('h1'))).toBe('row-1');
    expect(asked).toBe(0);
  });

  it('marks a rejected or thrown call ERROR with error.type, never the message, and passes the error on', async () => {
    const store = traced();
    const errors: unknown[] = [];
    await inRequest(async () => {
      await store.broken('h-secret').catch((error: unknown) => errors.push(error));
      try {
        store.explode();
      } catch (error) {
        errors.push(error);
      }
    });
    expect(errors.map((error) => (error as Error).message)).toEqual([
      'no row for h-secret',
      'constraint failed on value secret-1',
    ]);
    const failed = recording.finished().filter((span) => span.kind === SpanKind.CLIENT);
    expect(failed.map((span) => [span.name, span.status.code, span.attributes['error.type']])).toEqual([
      ['broken', SpanStatusCode.ERROR, 'RowsError'],
      ['explode', SpanStatusCode.ERROR, '23505'],
    ]);
    const exported = JSON.stringify(failed.map((span) => ({ a: span.attributes, s: span.status, e: span.events })));
    expect(exported).not.toMatch(/secret/);
  });

  it('reads properties through unchanged and hands back the same wrapper per method', () => {
    const store = traced();
    expect(store.epoch).toBe('e1');
    expect(store.find).toBe(store.find);
  });
});

describe('errorType', () => {
  it('is the code, else the class name, else _OTHER', () => {
    expect(errorType(Object.assign(new Error('x'), { code: 'ERR_SQLITE_ERROR' }))).toBe('ERR_SQLITE_ERROR');
    expect(errorType(new TypeError('x'))).toBe('TypeError');
    expect(errorType(new RowsError('x'))).toBe('RowsError');
    expect(errorType('a string')).toBe('_OTHER');
  });
});
