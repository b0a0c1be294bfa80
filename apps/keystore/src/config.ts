import { resolve } from 'node:path';
import { z } from 'zod';
import { toBlockList } from '@routemcp/internal-api';
import { tracingEnvironment, tracingExpectations, tracingSettings, type TracingSettings } from '@routemcp/tracing';
import { LEAK_ACTIONS } from './keys/key-record.ts';
import { GITHUB_KEYS_URL, type LeakPolicy } from './leaks/leak-policy.ts';
import { ROLES } from './accounts/roles.ts';
import { readOidcConfig, type OidcConfig } from './sso/oidc-config.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const DEFAULT_DB = './data/keystore.sqlite';

const port = z.coerce.number().int().min(0).max(65535);
// Any non-empty secret is accepted (operators and test rigs pick their own);
// main warns about short ones instead of refusing to start.
const token = z.string().min(1);
export const RECOMMENDED_TOKEN_LENGTH = 16;
export const RECOMMENDED_PASSWORD_LENGTH = 8;

const schema = z.object({
  KEYSTORE_PORT: port.default(5003),
  KEYSTORE_HOST: z.string().min(1).optional(),
  KEYSTORE_DB: z.string().min(1).default(DEFAULT_DB),
  KEYSTORE_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/)
    .refine((value) => URL.canParse(value))
    .optional(),
  KEYSTORE_DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  KEYSTORE_SERVICE_TOKEN: token,
  KEYSTORE_ADMIN_TOKEN: token.optional(),
  KEYSTORE_EVENT_RETENTION: z.coerce.number().int().min(1).default(100_000),
  // Deliberately loose: local logins such as admin@localhost (what `npm start` uses) have no dot.
  KEYSTORE_ADMIN_EMAIL: z
    .string()
    .max(254)
    .regex(/^[^\s@]+@[^\s@]+$/)
    .optional(),
  KEYSTORE_ADMIN_PASSWORD: z.string().min(1).max(1024).optional(),
  KEYSTORE_TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ''),
    )
    .refine((entries) => {
      try {
        toBlockList(entries);
        return true;
      } catch {
        return false;
      }
    }),
  KEYSTORE_SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(2_592_000).default(43_200),
  KEYSTORE_SESSION_IDLE_SECONDS: z.coerce.number().int().min(60).max(2_592_000).default(1800),
  KEYSTORE_GITHUB_KEYS_URL: z
    .string()
    .regex(/^https?:\/\/\S+$/)
    .refine((value) => URL.canParse(value))
    .default(GITHUB_KEYS_URL),
  KEYSTORE_LEAK_ACTION_TEST: z.enum(LEAK_ACTIONS).default('revoke'),
  KEYSTORE_LEAK_ACTION_LIVE: z.enum(LEAK_ACTIONS).default('notify'),
  // As long as a roll's grace period may be (168 h).
  KEYSTORE_LEAK_GRACE_SECONDS: z.coerce.number().int().min(0).max(604_800).default(3600),
  // An origin, perhaps with a path prefix; never a query or fragment (links are built by appending to it).
  KEYSTORE_PUBLIC_URL: z
    .string()
    .max(2000)
    .refine((value) => {
      if (!URL.canParse(value)) return false;
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.search === '' && url.hash === '';
    })
    .optional(),
  KEYSTORE_OIDC_ISSUER: z
    .string()
    .regex(/^https?:\/\/\S+$/)
    .refine((value) => URL.canParse(value))
    .optional(),
  KEYSTORE_OIDC_CLIENT_ID: z.string().min(1).max(512).optional(),
  KEYSTORE_OIDC_CLIENT_SECRET: z.string().min(1).max(1024).optional(),
  KEYSTORE_OIDC_DEFAULT_ROLE: z.enum(ROLES).default('viewer'),
  KEYSTORE_OIDC_ALLOWED_DOMAINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim().toLowerCase())
        .filter((entry) => entry !== ''),
    )
    .refine((domains) => domains.every((domain) => /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain))),
  KEYSTORE_PASSWORD_LOGIN: z.enum(['on', 'off']).default('on'),
  KEYSTORE_WEBHOOK_ALLOW_PRIVATE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  ...tracingEnvironment,
});

/** The environment variables the keystore reads (the schema's input). */
export type KeystoreEnvironment = z.input<typeof schema>;

const expectations: Record<keyof z.infer<typeof schema>, string> = {
  KEYSTORE_PORT: 'an integer port 0..65535',
  KEYSTORE_HOST: 'a host name or address',
  KEYSTORE_DB: 'a file path',
  KEYSTORE_DATABASE_URL: 'a postgres:// or postgresql:// URL, or unset',
  KEYSTORE_DATABASE_POOL_SIZE: 'an integer 1..200 (connections per replica)',
  KEYSTORE_SERVICE_TOKEN: 'a non-empty secret (required; 16+ characters recommended)',
  KEYSTORE_ADMIN_TOKEN: 'a non-empty secret (16+ characters recommended), or unset',
  KEYSTORE_EVENT_RETENTION: 'a positive integer (events kept for replay)',
  KEYSTORE_ADMIN_EMAIL: 'an email address, or unset',
  KEYSTORE_ADMIN_PASSWORD: 'a password of at most 1024 characters (8+ recommended), or unset',
  KEYSTORE_TRUSTED_PROXIES: 'comma-separated IP addresses or CIDRs of the proxies in front (e.g. 10.0.0.0/8), or unset',
  KEYSTORE_SESSION_TTL_SECONDS: 'an integer number of seconds, 60..2592000',
  KEYSTORE_SESSION_IDLE_SECONDS: 'an integer number of seconds, 60..2592000',
  KEYSTORE_GITHUB_KEYS_URL: 'an http:// or https:// URL',
  KEYSTORE_LEAK_ACTION_TEST: `one of ${LEAK_ACTIONS.join(', ')}`,
  KEYSTORE_LEAK_ACTION_LIVE: `one of ${LEAK_ACTIONS.join(', ')}`,
  KEYSTORE_LEAK_GRACE_SECONDS: 'an integer number of seconds, 0..604800',
  KEYSTORE_PUBLIC_URL:
    'an http:// or https:// URL without query or fragment (the dashboard as users reach it), or unset',
  KEYSTORE_OIDC_ISSUER: 'an http(s):// issuer URL, or unset',
  KEYSTORE_OIDC_CLIENT_ID: 'the client id registered at the identity provider, or unset',
  KEYSTORE_OIDC_CLIENT_SECRET: 'the client secret registered at the identity provider, or unset',
  KEYSTORE_OIDC_DEFAULT_ROLE: `one of ${ROLES.join(', ')}`,
  KEYSTORE_OIDC_ALLOWED_DOMAINS: 'comma-separated email domains (e.g. example.com,example.org), or unset',
  KEYSTORE_PASSWORD_LOGIN: 'on or off',
  KEYSTORE_WEBHOOK_ALLOW_PRIVATE: 'true or false',
  LOG_LEVEL: `one of ${LOG_LEVELS.join(', ')}`,
  ...tracingExpectations,
};

export interface Config {
  port: number;
  /** Unset: Node's default listen (all interfaces). */
  host: string | undefined;
  database: DatabaseTarget;
  serviceToken: string;
  adminToken: string | undefined;
  eventRetention: number;
  /** The first dashboard user, created at start when the database has none. */
  firstUser: { email: string; password: string } | undefined;
  /**
   * Addresses/CIDRs of the proxies in front. From one of them, X-Forwarded-Proto
   * is believed and the client is the right-most X-Forwarded-For entry that is
   * not a trusted proxy; empty: the socket peer, headers ignored.
   */
  trustedProxies: string[];
  sessionTtlMs: number;
  sessionIdleMs: number;
  /** What a leak report does per environment (issue 24). */
  leakPolicy: LeakPolicy;
  /** Where GitHub's secret-scanning signing keys are fetched from. */
  githubKeysUrl: string;
  /** The dashboard's external origin, no trailing slash: invitation links start with it. */
  publicUrl: string;
  /** Single sign-on; undefined: off. */
  oidc: OidcConfig | undefined;
  /** False: only SSO logs in to the dashboard (the admin token still reaches the API). */
  passwordLogin: boolean;
  /** Webhook receivers on loopback and private ranges allowed (local stacks and tests); off in production. */
  webhookAllowPrivate: boolean;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Where spans go (OTEL_*); null: tracing off. */
  tracing: TracingSettings | null;
}

/** Which engine holds the keystore's data: one SQLite file, or a PostgreSQL database any number of replicas share. */
export type DatabaseTarget =
  | { engine: 'sqlite'; /** Absolute path, or `:memory:`. */ path: string }
  | { engine: 'postgres'; url: string; poolSize: number };

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** The database path as the server and the operator CLI both resolve it (relative to cwd). */
export function resolveDbPath(env: Env = process.env, cwd = process.cwd()): string {
  const raw = blankToUndefined(env.KEYSTORE_DB) ?? DEFAULT_DB;
  return raw === ':memory:' ? raw : resolve(cwd, raw);
}

/**
 * The database the server and the operator CLI both open, from the same
 * variables: KEYSTORE_DATABASE_URL (PostgreSQL) when set, else KEYSTORE_DB
 * (SQLite). Setting both is a mistake worth refusing: one of them would be
 * silently ignored.
 */
export function resolveDatabase(env: Env = process.env, cwd = process.cwd()): DatabaseTarget {
  const url = blankToUndefined(env.KEYSTORE_DATABASE_URL);
  if (url === undefined) return { engine: 'sqlite', path: resolveDbPath(env, cwd) };
  if (blankToUndefined(env.KEYSTORE_DB) !== undefined) {
    throw new ConfigError(
      'KEYSTORE_DATABASE_URL and KEYSTORE_DB: expected at most one of them (PostgreSQL or a SQLite file), both are set',
    );
  }
  const parsed = schema.shape.KEYSTORE_DATABASE_URL.safeParse(url);
  if (!parsed.success)
    throw new ConfigError(
      `KEYSTORE_DATABASE_URL: expected ${expectations.KEYSTORE_DATABASE_URL}, got an invalid value`,
    );
  const size = schema.shape.KEYSTORE_DATABASE_POOL_SIZE.safeParse(blankToUndefined(env.KEYSTORE_DATABASE_POOL_SIZE));
  if (!size.success) {
    throw new ConfigError(
      `KEYSTORE_DATABASE_POOL_SIZE: expected ${expectations.KEYSTORE_DATABASE_POOL_SIZE}, got "${env.KEYSTORE_DATABASE_POOL_SIZE}"`,
    );
  }
  return { engine: 'postgres', url, poolSize: size.data };
}

/** Where the data is, for logs: never the URL's password. */
export function describeDatabase(target: DatabaseTarget): string {
  if (target.engine === 'sqlite') return target.path;
  const url = new URL(target.url);
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** Names of configured secrets shorter than recommended, for a warning at start. */
export function weakSecrets(config: Config): string[] {
  const weak: string[] = [];
  if (config.serviceToken.length < RECOMMENDED_TOKEN_LENGTH) weak.push('KEYSTORE_SERVICE_TOKEN');
  if (config.adminToken !== undefined && config.adminToken.length < RECOMMENDED_TOKEN_LENGTH)
    weak.push('KEYSTORE_ADMIN_TOKEN');
  if (config.firstUser !== undefined && config.firstUser.password.length < RECOMMENDED_PASSWORD_LENGTH)
    weak.push('KEYSTORE_ADMIN_PASSWORD');
  return weak;
}

/** Pure: reads only `env`. Throws a ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  refuseTrustProxy(env);
  const input = Object.fromEntries(Object.keys(expectations).map((name) => [name, blankToUndefined(env[name])]));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const name = String(parsed.error.issues[0]?.path[0] ?? 'environment') as keyof typeof expectations;
    const value = input[name];
    const got = value === undefined ? 'it is unset' : isSecret(name) ? 'got an invalid value' : `got "${value}"`;
    throw new ConfigError(`${name}: expected ${expectations[name] ?? 'a valid value'}, ${got}`);
  }
  const c = parsed.data;
  // One without the other would silently create no user; say so at start instead.
  if ((c.KEYSTORE_ADMIN_EMAIL === undefined) !== (c.KEYSTORE_ADMIN_PASSWORD === undefined)) {
    const missing = c.KEYSTORE_ADMIN_EMAIL === undefined ? 'KEYSTORE_ADMIN_EMAIL' : 'KEYSTORE_ADMIN_PASSWORD';
    throw new ConfigError(
      `${missing}: expected it to be set together with the other of KEYSTORE_ADMIN_EMAIL/PASSWORD, it is unset`,
    );
  }
  // SSO needs the origin set on purpose: a redirect URI guessed from the port would not match the provider's.
  const publicUrl = c.KEYSTORE_PUBLIC_URL?.replace(/\/+$/, '');
  const oidc = readOidcConfig({
    issuer: c.KEYSTORE_OIDC_ISSUER,
    clientId: c.KEYSTORE_OIDC_CLIENT_ID,
    clientSecret: c.KEYSTORE_OIDC_CLIENT_SECRET,
    defaultRole: c.KEYSTORE_OIDC_DEFAULT_ROLE,
    allowedDomains: c.KEYSTORE_OIDC_ALLOWED_DOMAINS,
    publicUrl,
  });
  if (oidc !== undefined && 'error' in oidc) throw new ConfigError(oidc.error);
  if (c.KEYSTORE_PASSWORD_LOGIN === 'off' && oidc === undefined) {
    throw new ConfigError(
      'KEYSTORE_PASSWORD_LOGIN: expected on while single sign-on is not configured (KEYSTORE_OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET), got "off": nobody could log in',
    );
  }
  return {
    port: c.KEYSTORE_PORT,
    host: c.KEYSTORE_HOST,
    database: resolveDatabase(env, cwd),
    serviceToken: c.KEYSTORE_SERVICE_TOKEN,
    adminToken: c.KEYSTORE_ADMIN_TOKEN,
    eventRetention: c.KEYSTORE_EVENT_RETENTION,
    firstUser:
      c.KEYSTORE_ADMIN_EMAIL === undefined || c.KEYSTORE_ADMIN_PASSWORD === undefined
        ? undefined
        : { email: c.KEYSTORE_ADMIN_EMAIL, password: c.KEYSTORE_ADMIN_PASSWORD },
    trustedProxies: c.KEYSTORE_TRUSTED_PROXIES,
    sessionTtlMs: c.KEYSTORE_SESSION_TTL_SECONDS * 1000,
    sessionIdleMs: c.KEYSTORE_SESSION_IDLE_SECONDS * 1000,
    leakPolicy: {
      live: c.KEYSTORE_LEAK_ACTION_LIVE,
      test: c.KEYSTORE_LEAK_ACTION_TEST,
      graceSeconds: c.KEYSTORE_LEAK_GRACE_SECONDS,
    },
    githubKeysUrl: c.KEYSTORE_GITHUB_KEYS_URL,
    publicUrl: (c.KEYSTORE_PUBLIC_URL ?? `http://localhost:${c.KEYSTORE_PORT}`).replace(/\/+$/, ''),
    oidc,
    passwordLogin: c.KEYSTORE_PASSWORD_LOGIN === 'on',
    webhookAllowPrivate: c.KEYSTORE_WEBHOOK_ALLOW_PRIVATE,
    logLevel: c.LOG_LEVEL,
    tracing: tracingSettings(c, 'routemcp-keystore'),
  };
}

/**
 * KEYSTORE_TRUST_PROXY=true believed the left-most X-Forwarded-For, which the
 * client writes: anyone could pick the address the lock-out and the audit log
 * saw. Starting anyway would silently change whose address is recorded, so it
 * is refused with the variable that replaces it. `false` asked for nothing and
 * still starts.
 */
function refuseTrustProxy(env: Env): void {
  const value = blankToUndefined(env.KEYSTORE_TRUST_PROXY);
  if (value === undefined || value === 'false') return;
  throw new ConfigError(
    `KEYSTORE_TRUST_PROXY: expected it unset; it is replaced by KEYSTORE_TRUSTED_PROXIES (the addresses or CIDRs of the proxies in front, e.g. 10.0.0.0/8), got "${value.slice(0, 32)}"`,
  );
}

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function isSecret(name: string): boolean {
  // A database URL may carry a password.
  return name.endsWith('_TOKEN') || name.endsWith('_PASSWORD') || name.endsWith('_URL') || name.endsWith('_SECRET');
}
