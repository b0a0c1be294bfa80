import type { VariableDoc } from '@routemcp/config-docs';
import type { tracingEnvironment } from './tracing-config.ts';

/** The OpenTelemetry variables as docs/configuration.md shows them, for the proxy's and the keystore's tables alike. */
export const tracingVariables: Record<keyof typeof tracingEnvironment, VariableDoc> = {
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    type: 'http(s) URL',
    default: 'unset: tracing off',
    description:
      'The OTLP/HTTP collector (`/v1/traces` is appended). Unset (and no `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`): no tracing, and the OpenTelemetry SDK is not even loaded (`docs/operating.md`, "Tracing").',
  },
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: {
    type: 'http(s) URL',
    default: 'unset: `OTEL_EXPORTER_OTLP_ENDPOINT`',
    description: 'The full traces URL, used as is; wins over `OTEL_EXPORTER_OTLP_ENDPOINT`.',
  },
  OTEL_EXPORTER_OTLP_PROTOCOL: {
    type: '`http/protobuf`, `http/json`',
    default: '`http/protobuf`',
    description: "`grpc` is a config error: point the exporter at the collector's HTTP port (4318) instead.",
  },
  OTEL_TRACES_SAMPLER: {
    type: 'sampler name',
    default: '`parentbased_always_on`',
    description:
      "`always_on`, `always_off`, `traceidratio`, `parentbased_always_on`, `parentbased_always_off`, `parentbased_traceidratio`. The parent-based ones follow the caller's `traceparent` sampled flag.",
  },
  OTEL_TRACES_SAMPLER_ARG: {
    type: 'number 0–1',
    default: '`1`',
    description: 'The ratio the `traceidratio` samplers keep (e.g. `0.01`: one trace in a hundred).',
  },
  OTEL_SERVICE_NAME: {
    type: 'string',
    default: 'the app (`routemcp-proxy`, `routemcp-keystore`)',
    description: 'The `service.name` resource attribute of every span.',
  },
  OTEL_SDK_DISABLED: {
    type: '`true`, `false`',
    default: '`false`',
    description: '`true`: tracing off even with an endpoint set.',
  },
};
