import { availableParallelism } from 'node:os';
import { tracingEnvironment } from '@routemcp/tracing';
import { z } from 'zod';
import { toBlockList } from './pipeline/index.ts';
import type { RedisTarget } from './rate-limit/index.ts';

const port = (fallback: number) =>
  z.coerce
    .number({ error: 'expected a port number' })
    .int()
    .min(0)
    .max(65535, 'expected a port number')
    .default(fallback);
const wholeNumber = (fallback: number, min: number) =>
  z.coerce.number({ error: 'expected a whole number' }).int('expected a whole number').min(min).default(fallback);
const positiveInt = (fallback: number) => wholeNumber(fallback, 1);
const positiveNumber = (fallback: number) =>
  z.coerce.number({ error: 'expected a number' }).positive().default(fallback);
const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });
/** One URL (say a Service in front of replicas) or a comma-separated list; an error names the bad entry. */
const httpUrlList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const entries = value.split(',').map((entry) => entry.trim());
      entries.forEach((entry, i) => {
        const which = `entry ${i + 1} of ${entries.length}`;
        if (entry === '') ctx.addIssue({ code: 'custom', message: `${which} is empty` });
        else if (!httpUrl.safeParse(entry).success)
          ctx.addIssue({ code: 'custom', message: `${which} (${maskUserInfo(entry)}) is not an http(s) URL` });
      });
      if (new Set(entries).size < entries.length) ctx.addIssue({ code: 'custom', message: 'lists a URL twice' });
      return entries;
    });
/** Unset and empty both mean "not configured": compose files often pass `VAR=`. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/** `auto` is one worker per core this process may use. */
const workers = z.preprocess(
  (value) => (value === 'auto' ? availableParallelism() : value === '' ? undefined : value),
  z.coerce
    .number({ error: 'expected a whole number from 1 to 64, or auto' })
    .int('expected a whole number from 1 to 64, or auto')
    .min(1, 'expected a whole number from 1 to 64, or auto')
    .max(64, 'expected a whole number from 1 to 64, or auto')
    .default(1),
);

/** Comma-separated redis:// URLs (seed nodes, or sentinels). */
const redisUrls = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((url) => url.trim())
      .filter((url) => url !== ''),
  )
  .pipe(
    z
      .array(z.url({ protocol: /^rediss?$/, error: 'expected comma-separated redis:// or rediss:// URLs' }))
      .min(1, 'expected at least one redis:// URL'),
  );

/** on/off (also true/false, 1/0). */
const onOff = (fallback: boolean) =>
  z
    .enum(['on', 'off', 'true', 'false', '1', '0'], { error: 'expected on or off' })
    .default(fallback ? 'on' : 'off')
    .transform((value) => value === 'on' || value === 'true' || value === '1');

const schema = z
  .object({
    // `off`: no proxy hop, forward auth only (AUTHZ_PORT, AUTHZ_GRPC_PORT), so no upstream is needed.
    PROXY_PORT: z.preprocess((value) => (value === 'off' ? null : value), port(5001).nullable()),
    PROXY_ADMIN_PORT: port(9901),
    PROXY_HOST: optional(z.string().min(1)),
    PROXY_WORKERS: workers,
    AUTHZ_PORT: optional(port(0).unwrap()),
    AUTHZ_GRPC_PORT: optional(port(0).unwrap()),
    UPSTREAM_URL: httpUrl.default('http://127.0.0.1:5002'),
    UPSTREAM_TEST_URL: optional(httpUrl),
    KEYSTORE_URL: httpUrlList('http://127.0.0.1:5003'),
    KEYSTORE_SERVICE_TOKEN: z.string({ error: 'is required' }).min(1, 'must not be empty'),
    REDIS_URL: optional(z.url({ protocol: /^rediss?$/, error: 'expected a redis:// or rediss:// URL' })),
    REDIS_CLUSTER_URLS: optional(redisUrls),
    REDIS_SENTINEL_URLS: optional(redisUrls),
    REDIS_SENTINEL_MASTER: optional(z.string().min(1)),
    RATE_LIMIT_LEASES: onOff(true),
    CACHE_MAX_KEYS: positiveInt(100_000),
    CACHE_TTL_MS: positiveInt(30_000),
    CACHE_NEGATIVE_TTL_MS: positiveInt(5_000),
    CACHE_STALE_IF_ERROR_MS: wholeNumber(300_000, 0),
    KEYSTORE_TIMEOUT_MS: positiveInt(250),
    // The keystore deadline's cap, and its value until the first answer (RFC 6298 starts at 1 s too): a
    // cold lookup on a busy machine is not failed closed at the floor, a hung keystore costs at most 1 s.
    KEYSTORE_TIMEOUT_MAX_MS: positiveInt(1_000),
    REDIS_TIMEOUT_MS: positiveInt(50),
    // The Redis deadline's cap. 1 s: well above a loaded host's round trips (tens to a few hundred ms),
    // so a slow machine does not fall back; the breaker's cool-down is also 1 s, so a stalled Redis costs
    // the requests caught in it at most about as long as the breaker takes to skip it.
    REDIS_TIMEOUT_MAX_MS: positiveInt(1_000),
    UPSTREAM_TIMEOUT_MS: positiveInt(30_000),
    RATE_LIMIT_LIVE_CAPACITY: positiveInt(100),
    RATE_LIMIT_LIVE_REFILL_PER_SECOND: positiveNumber(10),
    RATE_LIMIT_TEST_CAPACITY: positiveInt(100),
    RATE_LIMIT_TEST_REFILL_PER_SECOND: positiveNumber(10),
    TRUSTED_PROXIES: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((entry) => entry.trim())
          .filter((entry) => entry !== ''),
      )
      .superRefine((entries, ctx) => {
        try {
          toBlockList(entries);
        } catch (error) {
          ctx.addIssue({
            code: 'custom',
            message: `expected comma-separated IP addresses or CIDRs (${(error as Error).message})`,
          });
        }
      }),
    PUBLIC_PATHS: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((path) => path.trim())
          .filter((path) => path !== ''),
      )
      .pipe(z.array(z.string().startsWith('/', 'expected comma-separated paths starting with /'))),
    MAX_BODY_BYTES: wholeNumber(10_485_760, 0),
    AUTH_FAILURE_LIMIT: wholeNumber(600, 0),
    HEADERS_TIMEOUT_MS: positiveInt(10_000),
    REQUEST_TIMEOUT_MS: positiveInt(30_000),
    KEEP_ALIVE_TIMEOUT_MS: positiveInt(5_000),
    MAX_HEADER_BYTES: positiveInt(16_384),
    WS_IDLE_TIMEOUT_MS: wholeNumber(300_000, 0),
    WS_MAX_LIFETIME_MS: wholeNumber(86_400_000, 0),
    SHUTDOWN_GRACE_MS: positiveInt(10_000),
    USAGE_FLUSH_INTERVAL_MS: positiveInt(10_000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ...tracingEnvironment,
  })
  .refine(
    (config) =>
      [config.REDIS_URL, config.REDIS_CLUSTER_URLS, config.REDIS_SENTINEL_URLS].filter((v) => v !== undefined).length <=
      1,
    {
      path: ['REDIS_URL'],
      message: 'set exactly one of REDIS_URL, REDIS_CLUSTER_URLS and REDIS_SENTINEL_URLS',
    },
  )
  .refine((config) => (config.REDIS_SENTINEL_URLS === undefined) === (config.REDIS_SENTINEL_MASTER === undefined), {
    path: ['REDIS_SENTINEL_MASTER'],
    message: 'REDIS_SENTINEL_URLS and REDIS_SENTINEL_MASTER go together (the master name the sentinels monitor)',
  })
  .refine(
    (config) => config.PROXY_PORT !== null || config.AUTHZ_PORT !== undefined || config.AUTHZ_GRPC_PORT !== undefined,
    {
      path: ['PROXY_PORT'],
      message: 'off needs AUTHZ_PORT or AUTHZ_GRPC_PORT: with no port there is nothing to serve',
    },
  )
  .refine((config) => config.PROXY_WORKERS === 1 || redisTarget(config) !== undefined, {
    path: ['PROXY_WORKERS'],
    message:
      'more than one worker needs REDIS_URL (or REDIS_CLUSTER_URLS or REDIS_SENTINEL_URLS): without Redis each worker would keep its own token buckets',
  });

export type ProxyConfig = z.output<typeof schema>;
/** The environment variables the proxy reads (the schema's input). */
export type ProxyEnvironment = z.input<typeof schema>;

interface RedisSettings {
  REDIS_URL?: string | undefined;
  REDIS_CLUSTER_URLS?: string[] | undefined;
  REDIS_SENTINEL_URLS?: string[] | undefined;
  REDIS_SENTINEL_MASTER?: string | undefined;
}

/** Where the shared buckets live, from whichever of the three Redis settings is set; undefined: in memory. */
export function redisTarget(config: RedisSettings): RedisTarget | undefined {
  if (config.REDIS_URL !== undefined) return { kind: 'single', url: config.REDIS_URL };
  if (config.REDIS_CLUSTER_URLS !== undefined) return { kind: 'cluster', urls: config.REDIS_CLUSTER_URLS };
  if (config.REDIS_SENTINEL_URLS !== undefined && config.REDIS_SENTINEL_MASTER !== undefined)
    return { kind: 'sentinel', urls: config.REDIS_SENTINEL_URLS, master: config.REDIS_SENTINEL_MASTER };
  return undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ProxyConfig {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  // The variable's name only: an index into a list (REDIS_CLUSTER_URLS.1) means nothing in an environment.
  const problems = result.error.issues.map((issue) => `${String(issue.path[0] ?? '')}: ${issue.message}`);
  throw new ConfigError(`Invalid proxy configuration:\n  ${problems.join('\n  ')}`);
}

/** The config as it may be logged: secrets masked, credentials stripped from URLs. */
export function describeConfig(config: ProxyConfig): Record<string, unknown> {
  return {
    ...config,
    KEYSTORE_SERVICE_TOKEN: '***',
    REDIS_URL: config.REDIS_URL === undefined ? undefined : maskUrlCredentials(config.REDIS_URL),
    REDIS_CLUSTER_URLS: config.REDIS_CLUSTER_URLS?.map(maskUrlCredentials),
    REDIS_SENTINEL_URLS: config.REDIS_SENTINEL_URLS?.map(maskUrlCredentials),
    KEYSTORE_URL: config.KEYSTORE_URL.map(maskUrlCredentials),
    OTEL_EXPORTER_OTLP_ENDPOINT: maskOptional(config.OTEL_EXPORTER_OTLP_ENDPOINT),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: maskOptional(config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT),
  };
}

/** For text that may not even parse as a URL: whatever comes before an `@` in the authority. */
function maskUserInfo(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/]*@/i, '$1***@');
}

function maskOptional(text: string | undefined): string | undefined {
  return text === undefined ? undefined : maskUrlCredentials(text);
}

function maskUrlCredentials(text: string): string {
  const url = new URL(text);
  if (url.password !== '') url.password = '***';
  return url.toString();
}
