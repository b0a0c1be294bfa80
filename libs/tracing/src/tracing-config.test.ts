import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { tracingEnvironment, tracingSettings, type TracingVariables } from './tracing-config.ts';

const schema = z.object(tracingEnvironment);

function parse(env: Record<string, string>): TracingVariables {
  return schema.parse(env) as TracingVariables;
}

/** The variable each problem names, and its message, as the apps' config errors print them. */
function problems(env: Record<string, string>): string[] {
  const result = schema.safeParse(env);
  return result.success ? [] : result.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`);
}

describe('tracing settings', () => {
  it('is off without an endpoint, whatever else is set', () => {
    expect(tracingSettings(parse({}), 'svc')).toBeNull();
    expect(tracingSettings(parse({ OTEL_TRACES_SAMPLER: 'always_on', OTEL_SERVICE_NAME: 'x' }), 'svc')).toBeNull();
    expect(tracingSettings(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }), 'svc')).toBeNull();
  });

  it('is off when the SDK is disabled, even with an endpoint', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'TRUE' };
    expect(tracingSettings(parse(env), 'svc')).toBeNull();
  });

  it('appends /v1/traces to the base endpoint and takes the traces endpoint as it is', () => {
    expect(tracingSettings(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), 'svc')).toEqual({
      url: 'http://collector:4318/v1/traces',
      protocol: 'http/protobuf',
      sampler: 'parentbased_always_on',
      ratio: 1,
      serviceName: 'svc',
    });
    expect(tracingSettings(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/otlp/' }), 'svc')?.url).toBe(
      'http://c:4318/otlp/v1/traces',
    );
    const both = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b/t' };
    expect(tracingSettings(parse(both), 'svc')?.url).toBe('http://b/t');
  });

  it('reads the protocol, the sampler, its ratio and the service name', () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'ParentBased_TraceIdRatio',
      OTEL_TRACES_SAMPLER_ARG: '0.01',
      OTEL_SERVICE_NAME: 'edge',
    };
    expect(tracingSettings(parse(env), 'svc')).toMatchObject({
      protocol: 'http/json',
      sampler: 'parentbased_traceidratio',
      ratio: 0.01,
      serviceName: 'edge',
    });
  });

  it('refuses grpc, naming the variable and what to use instead', () => {
    expect(problems({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toEqual([
      'OTEL_EXPORTER_OTLP_PROTOCOL: expected one of http/protobuf, http/json (grpc is not supported: use http/protobuf)',
    ]);
  });

  it('refuses an unknown sampler and a ratio outside 0..1, naming each variable', () => {
    expect(problems({ OTEL_TRACES_SAMPLER: 'jaeger_remote', OTEL_TRACES_SAMPLER_ARG: '1.5' })).toEqual([
      expect.stringMatching(/^OTEL_TRACES_SAMPLER: expected one of always_on, .*parentbased_traceidratio$/),
      'OTEL_TRACES_SAMPLER_ARG: expected a sampling ratio from 0 to 1',
    ]);
    expect(problems({ OTEL_TRACES_SAMPLER_ARG: 'half' })).toEqual([
      'OTEL_TRACES_SAMPLER_ARG: expected a sampling ratio from 0 to 1',
    ]);
  });

  it('refuses an endpoint that is not an http(s) URL and a SDK_DISABLED that is not a boolean', () => {
    expect(problems({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317', OTEL_SDK_DISABLED: 'yes' })).toEqual([
      'OTEL_SDK_DISABLED: expected true or false',
      expect.stringMatching(/^OTEL_EXPORTER_OTLP_ENDPOINT: expected an http\(s\) URL/),
    ]);
  });
});
