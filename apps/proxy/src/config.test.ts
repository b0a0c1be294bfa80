import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { tracingSettings } from '@routemcp/tracing';
import { describeConfig, loadConfig, redisTarget } from './config.ts';

const TOKEN = { KEYSTORE_SERVICE_TOKEN: 'service-token-for-tests' };

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(TOKEN);
    expect(config).toMatchObject({
      PROXY_PORT: 5001,
      PROXY_ADMIN_PORT: 9901,
      UPSTREAM_URL: 'http://127.0.0.1:5002',
      KEYSTORE_URL: ['http://127.0.0.1:5003'],
      CACHE_MAX_KEYS: 100_000,
      KEYSTORE_TIMEOUT_MS: 250,
      REDIS_TIMEOUT_MS: 50,
      REDIS_TIMEOUT_MAX_MS: 1_000,
      UPSTREAM_TIMEOUT_MS: 30_000,
      RATE_LIMIT_LIVE_CAPACITY: 100,
      RATE_LIMIT_TEST_REFILL_PER_SECOND: 10,
      PUBLIC_PATHS: [],
      MAX_BODY_BYTES: 10_485_760,
      MAX_HEADER_BYTES: 16_384,
      AUTH_FAILURE_LIMIT: 600,
      SHUTDOWN_GRACE_MS: 10_000,
      LOG_LEVEL: 'info',
      PROXY_WORKERS: 1,
    });
    expect([config.PROXY_HOST, config.UPSTREAM_TEST_URL, config.REDIS_URL]).toEqual([undefined, undefined, undefined]);
  });

  it('reads values from the given object', () => {
    const config = loadConfig({
      ...TOKEN,
      PROXY_PORT: '0',
      UPSTREAM_TEST_URL: 'http://127.0.0.1:6000',
      REDIS_URL: 'redis://127.0.0.1:6379',
      PUBLIC_PATHS: '/health, /docs/openapi.json,',
      RATE_LIMIT_LIVE_REFILL_PER_SECOND: '0.5',
    });
    expect(config.PROXY_PORT).toBe(0);
    expect(config.UPSTREAM_TEST_URL).toBe('http://127.0.0.1:6000');
    expect(config.PUBLIC_PATHS).toEqual(['/health', '/docs/openapi.json']);
    expect(config.RATE_LIMIT_LIVE_REFILL_PER_SECOND).toBe(0.5);
  });

  it('takes PROXY_WORKERS as a count, or auto for one per available core', () => {
    const redis = { ...TOKEN, REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(loadConfig({ ...redis, PROXY_WORKERS: '4' }).PROXY_WORKERS).toBe(4);
    expect(loadConfig({ ...redis, PROXY_WORKERS: 'auto' }).PROXY_WORKERS).toBe(availableParallelism());
    expect(loadConfig({ ...TOKEN, PROXY_WORKERS: '' }).PROXY_WORKERS).toBe(1);
  });

  it('takes KEYSTORE_URL as one URL or a comma-separated list of replicas, in order', () => {
    expect(loadConfig({ ...TOKEN, KEYSTORE_URL: 'http://keystore:5003' }).KEYSTORE_URL).toEqual([
      'http://keystore:5003',
    ]);
    expect(
      loadConfig({
        ...TOKEN,
        KEYSTORE_URL: 'http://keystore-a:5003, https://keystore-b.internal ,http://10.0.0.3:5003',
      }).KEYSTORE_URL,
    ).toEqual(['http://keystore-a:5003', 'https://keystore-b.internal', 'http://10.0.0.3:5003']);
  });

  it('treats empty strings as unset for optional variables', () => {
    const config = loadConfig({ ...TOKEN, UPSTREAM_TEST_URL: '', REDIS_URL: '' });
    expect([config.UPSTREAM_TEST_URL, config.REDIS_URL]).toEqual([undefined, undefined]);
  });

  it('serves forward auth alone with PROXY_PORT=off and AUTHZ_PORT set (no proxy hop, so no upstream)', () => {
    expect(loadConfig(TOKEN).AUTHZ_PORT).toBeUndefined();
    const config = loadConfig({ ...TOKEN, PROXY_PORT: 'off', AUTHZ_PORT: '5004' });
    expect([config.PROXY_PORT, config.AUTHZ_PORT]).toEqual([null, 5004]);
    const grpcOnly = loadConfig({ ...TOKEN, PROXY_PORT: 'off', AUTHZ_GRPC_PORT: '5005' });
    expect([grpcOnly.PROXY_PORT, grpcOnly.AUTHZ_PORT, grpcOnly.AUTHZ_GRPC_PORT]).toEqual([null, undefined, 5005]);
  });

  it.each([
    [{}, /KEYSTORE_SERVICE_TOKEN: is required/],
    [{ ...TOKEN, PROXY_PORT: 'off' }, /PROXY_PORT: off needs AUTHZ_PORT/],
    [{ ...TOKEN, AUTHZ_PORT: 'x' }, /AUTHZ_PORT: expected a port number/],
    [{ ...TOKEN, AUTHZ_GRPC_PORT: '70000' }, /AUTHZ_GRPC_PORT: expected a port number/],
    [{ ...TOKEN, PROXY_PORT: 'abc' }, /PROXY_PORT: expected a port number/],
    [{ ...TOKEN, PROXY_ADMIN_PORT: '70000' }, /PROXY_ADMIN_PORT: expected a port number/],
    [{ ...TOKEN, UPSTREAM_URL: 'ftp://example' }, /UPSTREAM_URL: expected an http\(s\) URL/],
    [{ ...TOKEN, REDIS_URL: 'http://127.0.0.1' }, /REDIS_URL: expected a redis/],
    [
      { ...TOKEN, KEYSTORE_URL: 'keystore:5003' },
      /KEYSTORE_URL: entry 1 of 1 \(keystore:5003\) is not an http\(s\) URL/,
    ],
    [
      { ...TOKEN, KEYSTORE_URL: 'http://a:5003,ftp://b:5003,http://c:5003' },
      /KEYSTORE_URL: entry 2 of 3 \(ftp:\/\/b:5003\) is not an http\(s\) URL/,
    ],
    [{ ...TOKEN, KEYSTORE_URL: 'http://a:5003,' }, /KEYSTORE_URL: entry 2 of 2 is empty/],
    [{ ...TOKEN, KEYSTORE_URL: '' }, /KEYSTORE_URL: entry 1 of 1 is empty/],
    [{ ...TOKEN, KEYSTORE_URL: 'http://a:5003,http://a:5003' }, /KEYSTORE_URL: lists a URL twice/],
    [{ ...TOKEN, MAX_BODY_BYTES: '1.5' }, /MAX_BODY_BYTES: expected a whole number/],
    [{ ...TOKEN, PUBLIC_PATHS: 'health' }, /PUBLIC_PATHS.*starting with \//],
    [{ ...TOKEN, LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ ...TOKEN, PROXY_WORKERS: '0' }, /PROXY_WORKERS: expected a whole number from 1 to 64, or auto/],
    [{ ...TOKEN, PROXY_WORKERS: 'two' }, /PROXY_WORKERS: expected a whole number from 1 to 64, or auto/],
    [{ ...TOKEN, PROXY_WORKERS: '65' }, /PROXY_WORKERS: expected a whole number/],
    [{ ...TOKEN, PROXY_WORKERS: '2' }, /PROXY_WORKERS: more than one worker needs REDIS_URL/],
    [
      { ...TOKEN, REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_URLS: 'redis://b:6379' },
      /REDIS_URL: set exactly one of REDIS_URL, REDIS_CLUSTER_URLS and REDIS_SENTINEL_URLS/,
    ],
    [{ ...TOKEN, REDIS_CLUSTER_URLS: 'redis://b:6379,http://c' }, /REDIS_CLUSTER_URLS: expected comma-separated redis/],
    [
      { ...TOKEN, REDIS_SENTINEL_URLS: 'redis://s:26379' },
      /REDIS_SENTINEL_MASTER: REDIS_SENTINEL_URLS and REDIS_SENTINEL_MASTER go together/,
    ],
    [
      { ...TOKEN, REDIS_SENTINEL_MASTER: 'mymaster' },
      /REDIS_SENTINEL_MASTER: REDIS_SENTINEL_URLS and REDIS_SENTINEL_MASTER go together/,
    ],
    [{ ...TOKEN, RATE_LIMIT_LEASES: 'maybe' }, /RATE_LIMIT_LEASES: expected on or off/],
    [
      { ...TOKEN, TRUSTED_PROXIES: '10.0.0.0/8,not-an-ip' },
      /TRUSTED_PROXIES: expected comma-separated IP addresses or CIDRs/,
    ],
    [{ ...TOKEN, TRUSTED_PROXIES: '10.0.0.0/33' }, /TRUSTED_PROXIES/],
  ])('names the bad variable and what it expected (%o)', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('tracing', () => {
  it('is off without an OTLP endpoint, on with one, as routemcp-proxy unless named', () => {
    expect(tracingSettings(loadConfig(TOKEN), 'routemcp-proxy')).toBeNull();
    const on = loadConfig({ ...TOKEN, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });
    expect(tracingSettings(on, 'routemcp-proxy')).toMatchObject({
      url: 'http://collector:4318/v1/traces',
      protocol: 'http/protobuf',
      serviceName: 'routemcp-proxy',
    });
  });

  it('refuses grpc and an unknown sampler, naming each variable', () => {
    expect(() =>
      loadConfig({ ...TOKEN, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_TRACES_SAMPLER: 'sometimes' }),
    ).toThrow(
      /OTEL_EXPORTER_OTLP_PROTOCOL: expected one of http\/protobuf, http\/json \(grpc is not supported.*\n\s+OTEL_TRACES_SAMPLER: expected one of/,
    );
  });
});

describe('Redis targets', () => {
  it('takes exactly one of a node, a cluster or sentinels', () => {
    expect(redisTarget(loadConfig(TOKEN))).toBeUndefined();
    expect(redisTarget(loadConfig({ ...TOKEN, REDIS_URL: 'redis://a:6379' }))).toEqual({
      kind: 'single',
      url: 'redis://a:6379',
    });
    expect(redisTarget(loadConfig({ ...TOKEN, REDIS_CLUSTER_URLS: ' redis://a:7000, redis://b:7001 ' }))).toEqual({
      kind: 'cluster',
      urls: ['redis://a:7000', 'redis://b:7001'],
    });
    expect(
      redisTarget(
        loadConfig({
          ...TOKEN,
          REDIS_SENTINEL_URLS: 'redis://s1:26379,redis://s2:26379',
          REDIS_SENTINEL_MASTER: 'mymaster',
        }),
      ),
    ).toEqual({ kind: 'sentinel', urls: ['redis://s1:26379', 'redis://s2:26379'], master: 'mymaster' });
  });

  it('lets several workers share a cluster', () => {
    expect(loadConfig({ ...TOKEN, PROXY_WORKERS: '2', REDIS_CLUSTER_URLS: 'redis://a:7000' }).PROXY_WORKERS).toBe(2);
  });

  it('has leases on unless switched off', () => {
    expect(loadConfig(TOKEN).RATE_LIMIT_LEASES).toBe(true);
    expect(loadConfig({ ...TOKEN, RATE_LIMIT_LEASES: 'off' }).RATE_LIMIT_LEASES).toBe(false);
  });

  it('reads TRUSTED_PROXIES as a list of addresses and CIDRs', () => {
    expect(loadConfig({ ...TOKEN, TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.1,2001:db8::/32' }).TRUSTED_PROXIES).toEqual([
      '10.0.0.0/8',
      '192.0.2.1',
      '2001:db8::/32',
    ]);
  });
});

describe('describeConfig', () => {
  it('masks the service token and Redis credentials', () => {
    const text = JSON.stringify(
      describeConfig(loadConfig({ ...TOKEN, REDIS_URL: 'redis://user:hunter2@127.0.0.1:6379' })),
    );
    expect(text).not.toContain('service-token-for-tests');
    expect(text).not.toContain('hunter2');
    expect(text).toContain('"KEYSTORE_SERVICE_TOKEN":"***"');
  });

  it('masks credentials in the OTLP endpoints', () => {
    const text = JSON.stringify(
      describeConfig(
        loadConfig({
          ...TOKEN,
          OTEL_EXPORTER_OTLP_ENDPOINT: 'https://ops:hunter2@collector:4318',
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://ops:hunter3@collector/v1/traces',
        }),
      ),
    );
    expect(text).not.toMatch(/hunter[23]/);
    expect(text).toContain('"OTEL_EXPORTER_OTLP_ENDPOINT":"https://ops:***@collector:4318/"');
  });

  it('masks credentials in keystore URLs, valid or not', () => {
    const text = JSON.stringify(
      describeConfig(loadConfig({ ...TOKEN, KEYSTORE_URL: 'http://a:5003,http://ops:hunter2@b:5003' })),
    );
    expect(text).not.toContain('hunter2');
    expect(text).toContain('"KEYSTORE_URL":["http://a:5003/","http://ops:***@b:5003/"]');
    for (const bad of ['ops:hunter2@b', 'ftp://ops:hunter2@b']) {
      const error = (() => {
        try {
          loadConfig({ ...TOKEN, KEYSTORE_URL: `http://a:5003,${bad}` });
        } catch (thrown) {
          return String(thrown);
        }
      })();
      expect(error).toMatch(/entry 2 of 2 \((ftp:\/\/)?\*\*\*@b\) is not an http\(s\) URL/);
      expect(error).not.toContain('hunter2');
    }
  });
});
