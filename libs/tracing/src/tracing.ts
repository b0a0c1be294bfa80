import type { TextMapPropagator, Tracer } from '@opentelemetry/api';

/** Tracing, started (startTracing): what the instrumented code needs of the SDK. */
export interface Tracing {
  readonly tracer: Tracer;
  /** W3C Trace Context: reads the caller's `traceparent`/`tracestate`, writes ours for the next hop. */
  readonly propagator: TextMapPropagator;
  /** Exports the spans still queued (within a few seconds), then stops (graceful shutdown). */
  shutdown(): Promise<void>;
}
