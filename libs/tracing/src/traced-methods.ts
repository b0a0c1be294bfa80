import { context, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { startClientSpan } from './spans.ts';
import type { Tracing } from './tracing.ts';

/** What a method's CLIENT span is called and carries (computed once per method name, not per call). */
export interface MethodSpan {
  readonly name: string;
  readonly attributes: Attributes;
}

/**
 * `target`, seen through a proxy whose every method call made on behalf of
 * a request (an active span) is a CLIENT span under it, ended when the
 * call returns or its promise settles. A call made outside any request (a
 * timer, a poll) runs as it is, with no span: it would be a trace of its own;
 * so does one under a request the sampler dropped.
 *
 * The span carries `spanOf(method)` and, on failure, status ERROR and
 * `error.type` (errorType below): never the arguments, the result or the
 * error's message, which may hold the values the call was made with.
 *
 * Methods run with the target itself as `this`, so classes with private
 * fields work; properties that are not functions read through unchanged.
 */
export function traceMethods<T extends object>(target: T, tracing: Tracing, spanOf: (method: string) => MethodSpan): T {
  const wrapped = new Map<string, unknown>();
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      let traced = wrapped.get(property);
      if (traced === undefined) {
        traced = tracedCall(value as (...args: unknown[]) => unknown, object, tracing, spanOf(property));
        wrapped.set(property, traced);
      }
      return traced;
    },
  });
}

function tracedCall(
  method: (...args: unknown[]) => unknown,
  self: object,
  tracing: Tracing,
  described: MethodSpan,
): (...args: unknown[]) => unknown {
  return (...args) => {
    // An unsampled (or already ended) request keeps none of its children: making one would cost a few µs for nothing.
    if (trace.getSpan(context.active())?.isRecording() !== true) return method.apply(self, args);
    const active = startClientSpan(tracing, described.name, described.attributes);
    if (active === undefined) return method.apply(self, args);
    const span = active.span;
    let result: unknown;
    try {
      result = method.apply(self, args);
    } catch (error) {
      failed(span, error);
      throw error;
    }
    if (!(result instanceof Promise)) {
      span.end();
      return result;
    }
    return result.then(
      (value: unknown) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        failed(span, error);
        throw error;
      },
    );
  };
}

function failed(span: Span, error: unknown): void {
  span.setAttribute('error.type', errorType(error));
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/**
 * The semantic conventions' `error.type`: the error's code when it has a
 * string one (a driver's SQLSTATE, Node's `ERR_…`), else its class name;
 * `_OTHER` for a thrown non-error. Never its message.
 */
export function errorType(error: unknown): string {
  if (!(error instanceof Error)) return '_OTHER';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code !== '') return code;
  return error.name !== '' && error.name !== 'Error' ? error.name : error.constructor.name;
}
