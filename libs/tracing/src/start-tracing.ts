import type * as SdkTrace from '@opentelemetry/sdk-trace';
import type { Sampler } from '@opentelemetry/sdk-trace';
import { PooledIdGenerator } from './pooled-id-generator.ts';
import type { Tracing } from './tracing.ts';
import type { SamplerName, TracingSettings } from './tracing-config.ts';

/** How long shutdown waits for the last batch to reach the collector. */
const FLUSH_TIMEOUT_MS = 5_000;

/**
 * Loads the OpenTelemetry SDK and starts exporting. Called only when
 * tracing is on: every SDK module is imported here, dynamically, so a
 * process with tracing off never loads one.
 *
 * The context manager is AsyncLocalStorage's (the one global this
 * installs): a span started for a request is the parent of the spans its
 * lookups start, across their awaits. The tracer and the propagator are
 * handed back rather than registered globally, so each app passes them to
 * what it instruments.
 */
export async function startTracing(settings: TracingSettings): Promise<Tracing> {
  const [api, { AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, sdk, resources, semconv, exporter] =
    await Promise.all([
      import('@opentelemetry/api'),
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/core'),
      import('@opentelemetry/sdk-trace'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/semantic-conventions'),
      settings.protocol === 'http/json'
        ? import('@opentelemetry/exporter-trace-otlp-http')
        : import('@opentelemetry/exporter-trace-otlp-proto'),
    ]);
  const contextManager = new AsyncLocalStorageContextManager().enable();
  api.context.setGlobalContextManager(contextManager);
  const root = rootSampler(sdk, settings.sampler, settings.ratio);
  const provider = new sdk.TracerProvider({
    resource: resources.resourceFromAttributes({ [semconv.ATTR_SERVICE_NAME]: settings.serviceName }),
    idGenerator: new PooledIdGenerator(),
    sampler: settings.sampler.startsWith('parentbased_') ? new sdk.ParentBasedSampler({ root }) : root,
    // Headers, timeout, compression and TLS files still come from the OTEL_EXPORTER_OTLP_* variables the exporter reads.
    spanProcessors: [new sdk.BatchSpanProcessor({ exporter: new exporter.OTLPTraceExporter({ url: settings.url }) })],
  });
  return {
    tracer: provider.getTracer(settings.serviceName),
    propagator: new W3CTraceContextPropagator(),
    async shutdown() {
      await Promise.race([
        provider.shutdown(),
        new Promise((resolve) => setTimeout(resolve, FLUSH_TIMEOUT_MS).unref()),
      ]);
      api.context.disable();
    },
  };
}

type SamplerClasses = Pick<typeof SdkTrace, 'AlwaysOnSampler' | 'AlwaysOffSampler' | 'TraceIdRatioBasedSampler'>;

/** The sampler for a trace this process starts (the root); a parent-based one wraps it. */
function rootSampler(sdk: SamplerClasses, name: SamplerName, ratio: number): Sampler {
  switch (name) {
    case 'always_on':
    case 'parentbased_always_on':
      return new sdk.AlwaysOnSampler();
    case 'always_off':
    case 'parentbased_always_off':
      return new sdk.AlwaysOffSampler();
    case 'traceidratio':
    case 'parentbased_traceidratio':
      return new sdk.TraceIdRatioBasedSampler(ratio);
  }
}
