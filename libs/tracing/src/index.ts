export {
  PROTOCOLS,
  SAMPLERS,
  tracingEnvironment,
  tracingExpectations,
  tracingSettings,
  type OtlpProtocol,
  type SamplerName,
  type TracingSettings,
  type TracingVariables,
} from './tracing-config.ts';
export { tracingVariables } from './tracing-variables.ts';
export type { Tracing } from './tracing.ts';
export { startTracing } from './start-tracing.ts';
export {
  endServerSpan,
  outsideTrace,
  rawHeadersGetter,
  replaceTraceHeaders,
  startClientSpan,
  startServerSpan,
  traceHeaders,
  type ActiveSpan,
} from './spans.ts';
export { errorType, traceMethods, type MethodSpan } from './traced-methods.ts';
