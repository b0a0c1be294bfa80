import { z } from 'zod';

/** The samplers OTEL_TRACES_SAMPLER may name (the specification's, less the remote ones this SDK has none of). */
export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof SAMPLERS)[number];

export const PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof PROTOCOLS)[number];

/** What the apps' config error says each variable expects (the keystore phrases its errors from these). */
export const tracingExpectations = {
  OTEL_SDK_DISABLED: 'true or false',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'an http(s) URL (the collector; /v1/traces is added), or unset',
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'an http(s) URL (used as is), or unset',
  OTEL_EXPORTER_OTLP_PROTOCOL: `one of ${PROTOCOLS.join(', ')} (grpc is not supported: use http/protobuf)`,
  OTEL_TRACES_SAMPLER: `one of ${SAMPLERS.join(', ')}`,
  OTEL_TRACES_SAMPLER_ARG: 'a sampling ratio from 0 to 1',
  OTEL_SERVICE_NAME: 'a non-empty name, or unset',
} as const;

const expect = (name: keyof typeof tracingExpectations) => `expected ${tracingExpectations[name]}`;
/** Unset and empty both mean "not configured" (compose files pass `VAR=`). */
const blank = (value: unknown) => (value === '' ? undefined : value);
const httpUrl = (name: keyof typeof tracingExpectations) =>
  z.preprocess(blank, z.url({ protocol: /^https?$/, error: expect(name) }).optional());

/**
 * The OpenTelemetry variables, as fields both apps spread into their own
 * schema, so one config error names every bad variable and the docs table
 * lists them. Values are the specification's (case-insensitive where it says so).
 */
export const tracingEnvironment = {
  OTEL_SDK_DISABLED: z.preprocess(
    (value) => (typeof value === 'string' ? blank(value.trim().toLowerCase()) : value),
    z.enum(['true', 'false'], { error: expect('OTEL_SDK_DISABLED') }).default('false'),
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl('OTEL_EXPORTER_OTLP_ENDPOINT'),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.preprocess(
    blank,
    z.enum(PROTOCOLS, { error: expect('OTEL_EXPORTER_OTLP_PROTOCOL') }).default('http/protobuf'),
  ),
  OTEL_TRACES_SAMPLER: z.preprocess(
    (value) => (typeof value === 'string' ? blank(value.trim().toLowerCase()) : value),
    z.enum(SAMPLERS, { error: expect('OTEL_TRACES_SAMPLER') }).default('parentbased_always_on'),
  ),
  OTEL_TRACES_SAMPLER_ARG: z.preprocess(
    blank,
    z.coerce
      .number({ error: expect('OTEL_TRACES_SAMPLER_ARG') })
      .min(0, expect('OTEL_TRACES_SAMPLER_ARG'))
      .max(1, expect('OTEL_TRACES_SAMPLER_ARG'))
      .optional(),
  ),
  OTEL_SERVICE_NAME: z.preprocess(blank, z.string().trim().min(1, expect('OTEL_SERVICE_NAME')).optional()),
};

/** The variables as parsed by `tracingEnvironment`. */
export interface TracingVariables {
  OTEL_SDK_DISABLED: 'true' | 'false';
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined;
  OTEL_EXPORTER_OTLP_PROTOCOL: OtlpProtocol;
  OTEL_TRACES_SAMPLER: SamplerName;
  OTEL_TRACES_SAMPLER_ARG?: number | undefined;
  OTEL_SERVICE_NAME?: string | undefined;
}

/** Tracing as configured: where spans go, which are kept, under which service name. */
export interface TracingSettings {
  /** The full OTLP/HTTP traces URL. */
  url: string;
  protocol: OtlpProtocol;
  sampler: SamplerName;
  /** The ratio the ratio samplers keep (1 when OTEL_TRACES_SAMPLER_ARG is unset, as the specification says). */
  ratio: number;
  serviceName: string;
}

/**
 * Tracing on or off, from the parsed variables: off (null) when the SDK is
 * disabled or no endpoint is set, whatever else is. A base endpoint gets the
 * traces path appended (the OTLP exporter specification); the
 * traces-specific one is used as it is.
 */
export function tracingSettings(variables: TracingVariables, defaultServiceName: string): TracingSettings | null {
  if (variables.OTEL_SDK_DISABLED === 'true') return null;
  const url = variables.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? tracesUrlOf(variables.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (url === undefined) return null;
  return {
    url,
    protocol: variables.OTEL_EXPORTER_OTLP_PROTOCOL,
    sampler: variables.OTEL_TRACES_SAMPLER,
    ratio: variables.OTEL_TRACES_SAMPLER_ARG ?? 1,
    serviceName: variables.OTEL_SERVICE_NAME ?? defaultServiceName,
  };
}

function tracesUrlOf(base: string | undefined): string | undefined {
  if (base === undefined) return undefined;
  return `${base.endsWith('/') ? base.slice(0, -1) : base}/v1/traces`;
}
