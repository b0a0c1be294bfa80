import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import type { Tracing } from './tracing.ts';

/** A span and the context that has it as the active span (what `context.with` runs the work in). */
export interface ActiveSpan {
  readonly span: Span;
  readonly context: Context;
}

/** Reads header values from Node's flat `rawHeaders` list (`[name, value, …]`, names in the client's case). */
export const rawHeadersGetter: TextMapGetter<readonly string[]> = {
  keys(carrier) {
    const names: string[] = [];
    for (let i = 0; i < carrier.length; i += 2) names.push(carrier[i]!.toLowerCase());
    return names;
  },
  get(carrier, key) {
    for (let i = 0; i < carrier.length; i += 2) if (carrier[i]!.toLowerCase() === key) return carrier[i + 1];
    return undefined;
  },
};

const SERVER = Object.freeze({ kind: SpanKind.SERVER });

/**
 * A SERVER span for a request that arrived carrying `carrier`'s headers:
 * the caller's trace (`traceparent`, `tracestate`) continued, or a new
 * one, as the sampler decides.
 *
 * `attributes` are set once the span is known to record: at a 1 % sample,
 * 99 requests in 100 build, copy and check none (none of the standard
 * samplers reads them). A caller whose attributes cost something to work
 * out checks `span.isRecording()` itself and passes none.
 */
export function startServerSpan<C>(
  tracing: Tracing,
  name: string,
  carrier: C,
  getter: TextMapGetter<C>,
  attributes?: Attributes,
): ActiveSpan {
  const parent = tracing.propagator.extract(ROOT_CONTEXT, carrier, getter);
  const span = tracing.tracer.startSpan(name, SERVER, parent);
  if (attributes !== undefined && span.isRecording()) span.setAttributes(attributes);
  return { span, context: trace.setSpan(parent, span) };
}

/**
 * A CLIENT span for a call made on behalf of the request being served, or
 * undefined when there is none (a background refresh, a replay): those
 * would each start a trace of their own, which says nothing about a request.
 *
 * Under a request the sampler dropped (or one already ended) no span is
 * started, since nobody would keep it: the request's context comes back,
 * so the call still carries the request's unsampled `traceparent` to the
 * next hop, with a span that does nothing when ended.
 */
export function startClientSpan(tracing: Tracing, name: string, attributes: Attributes): ActiveSpan | undefined {
  const parent = context.active();
  const request = trace.getSpan(parent);
  if (request === undefined) return undefined;
  // The request's span context as a span whose every method is a no-op (the request's own may have ended).
  if (!request.isRecording()) return { span: trace.wrapSpanContext(request.spanContext()), context: parent };
  const span = tracing.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/**
 * `work`, run outside any trace: what a request sets off without waiting
 * for (publishing its change, delivering its webhooks) would otherwise run
 * in its context, its store calls becoming children of a request that
 * answered before they started, and every timer they arm after it too.
 */
export function outsideTrace<A extends unknown[]>(work: (...args: A) => void): (...args: A) => void {
  return (...args) => context.with(ROOT_CONTEXT, work, undefined, ...args);
}

/** The `traceparent` (and `tracestate`) that make the next hop's span a child of `ctx`'s span, as a header object. */
export function traceHeaders(tracing: Tracing, ctx: Context): Record<string, string> {
  const headers: Record<string, string> = {};
  tracing.propagator.inject(ctx, headers, {
    set(carrier, key, value) {
      carrier[key] = value;
    },
  });
  return headers;
}

/**
 * `headers` (a flat `[name, value, …]` list, as the upstream client takes
 * it) with the caller's trace headers replaced by ours: the next hop sees
 * one `traceparent`, whose parent is `ctx`'s span.
 */
export function replaceTraceHeaders(tracing: Tracing, ctx: Context, headers: string[]): void {
  let kept = 0;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    // Only names of these two lengths can be the trace headers: the rest are not lower-cased.
    if ((name.length === 11 || name.length === 10) && isTraceHeader(name.toLowerCase())) continue;
    headers[kept++] = name;
    headers[kept++] = headers[i + 1]!;
  }
  headers.length = kept;
  tracing.propagator.inject(ctx, headers, FLAT_SETTER);
}

function isTraceHeader(name: string): boolean {
  return name === 'traceparent' || name === 'tracestate';
}

/** Appends to a flat `[name, value, …]` list. */
const FLAT_SETTER: TextMapSetter<string[]> = {
  set(carrier, key, value) {
    carrier.push(key, value);
  },
};

/** Marks a server span failed when the answer is a 5xx (a 4xx is the client's error, not the server's). */
export function endServerSpan(span: Span, statusCode: number): void {
  if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}
