import { EventEmitter, once } from 'node:events';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { Tracing } from './tracing.ts';

const UNTIL_BOUND_MS = 8_000;

/** An in-process SDK for tests, registered as the API's global one, counting every span it is asked to start. */
export interface RecordingTracing extends AsyncDisposable {
  /** What an app is given when tracing is on. */
  readonly tracing: Tracing;
  /** Spans started through any tracer of the global provider since the last reset (the SDK calls no processor for one its sampler drops). */
  started(): number;
  /** Ended spans, in order. */
  finished(): ReadableSpan[];
  /** Emits `change` each time a span ends, for a test to await instead of polling. */
  readonly changes: EventEmitter;
  /**
   * Resolves once `condition()` holds, checked now and at each span's end;
   * rejects naming `what` after a bound far above any healthy wait (below
   * vitest's 10 s test timeout), so a wait that can never end says why.
   */
  until(condition: () => boolean, what: string): Promise<void>;
  reset(): void;
}

/**
 * Installs the global tracer provider, context manager and propagator, so
 * that any code reaching for OpenTelemetry through the API (the way a
 * library would) is counted too: a test of "tracing off" asserts the count
 * stays 0.
 */
export function installRecordingTracing(): RecordingTracing {
  const exporter = new InMemorySpanExporter();
  let started = 0;
  const changes = new EventEmitter();
  const counter: SpanProcessor = {
    onStart: () => void started++,
    // After the exporter's processor (registered after this one) has the span: queueMicrotask.
    onEnd: () => queueMicrotask(() => changes.emit('change')),
    forceFlush: async () => undefined,
    shutdown: async () => undefined,
  };
  const provider = new TracerProvider({ spanProcessors: [counter, new SimpleSpanProcessor({ exporter })] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return {
    tracing: {
      tracer: trace.getTracer('test'),
      propagator: propagation,
      shutdown: () => provider.forceFlush(),
    },
    started: () => started,
    changes,
    async until(condition, what) {
      const signal = AbortSignal.timeout(UNTIL_BOUND_MS);
      while (!condition()) {
        try {
          await once(changes, 'change', { signal });
        } catch {
          throw new Error(`still not ${what} after ${UNTIL_BOUND_MS} ms`);
        }
      }
    },
    finished: () => exporter.getFinishedSpans(),
    reset() {
      started = 0;
      exporter.reset();
    },
    async [Symbol.asyncDispose]() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
