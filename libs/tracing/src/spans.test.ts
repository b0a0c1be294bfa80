import { context, trace } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { outsideTrace, rawHeadersGetter, replaceTraceHeaders, startClientSpan, startServerSpan } from './spans.ts';
import { installRecordingTracing } from './recording-tracing.ts';

const recording = installRecordingTracing();
afterAll(() => recording[Symbol.asyncDispose]());

const CALLER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('spans', () => {
  it("continues the caller's trace from Node's raw header list, whatever the header's case", () => {
    const { span } = startServerSpan(
      recording.tracing,
      'GET',
      ['Host', 'a', 'TraceParent', CALLER],
      rawHeadersGetter,
      {},
    );
    expect(span.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    span.end();
    expect(recording.finished().at(-1)!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
  });

  it("replaces the caller's traceparent and tracestate in a flat header list with one of ours", () => {
    const { span, context: active } = startServerSpan(
      recording.tracing,
      'GET',
      ['traceparent', CALLER, 'tracestate', 'a=1'],
      rawHeadersGetter,
      {},
    );
    const headers = ['host', 'up', 'Traceparent', CALLER, 'x-a', '1', 'tracestate', 'a=1', 'TRACEPARENT', 'dup'];
    replaceTraceHeaders(recording.tracing, active, headers);
    expect(headers).toEqual([
      'host',
      'up',
      'x-a',
      '1',
      'traceparent',
      `00-0af7651916cd43dd8448eb211c80319c-${span.spanContext().spanId}-01`,
      'tracestate',
      'a=1',
    ]);
  });

  it('sets the attributes it is given on a span that records', () => {
    const { span } = startServerSpan(recording.tracing, 'GET', [], rawHeadersGetter, { 'server.address': 'a.example' });
    span.end();
    expect(recording.finished().at(-1)!.attributes).toMatchObject({ 'server.address': 'a.example' });
  });

  it('starts a client span only under an active span: a background call starts no trace of its own', () => {
    expect(startClientSpan(recording.tracing, 'lookup', {})).toBeUndefined();
    const { span, context: active } = startServerSpan(recording.tracing, 'GET', [], rawHeadersGetter, {});
    const child = context.with(active, () => startClientSpan(recording.tracing, 'lookup', {}));
    expect(child?.span.spanContext().traceId).toBe(span.spanContext().traceId);
    expect(trace.getSpan(child!.context)).toBe(child!.span);
  });

  it('starts no span under a request the sampler dropped, and still carries its unsampled traceparent on', () => {
    const dropped = trace.wrapSpanContext({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 0,
    });
    const unsampled = trace.setSpan(context.active(), dropped);
    const child = context.with(unsampled, () => startClientSpan(recording.tracing, 'lookup', {}));
    // No span of its own: the request's span context, in a span that does nothing.
    expect(child?.span.spanContext()).toEqual(dropped.spanContext());
    expect(child?.span.isRecording()).toBe(false);
    child!.span.end();
    const headers: string[] = [];
    replaceTraceHeaders(recording.tracing, child!.context, headers);
    expect(headers).toEqual(['traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00']);
  });

  it('runs follow-up work outside the trace it was set off in', () => {
    const { context: active } = startServerSpan(recording.tracing, 'GET', [], rawHeadersGetter, {});
    const seen: unknown[] = [];
    context.with(
      active,
      outsideTrace((n: number) => seen.push(n, trace.getSpan(context.active()))),
      undefined,
      1,
    );
    expect(seen).toEqual([1, undefined]);
  });
});
