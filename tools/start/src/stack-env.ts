import { resolve } from 'node:path';

export type Env = Record<string, string | undefined>;

export interface StackPorts {
  proxy: number;
  proxyAdmin: number;
  /** The proxy's HTTP forward-auth port (AUTHZ_PORT), on by default here. */
  authz: number;
  api: number;
  keystore: number;
}

export interface StackEnv {
  /** The complete environment every child gets. */
  env: Record<string, string>;
  ports: StackPorts;
  /** Absolute, so the CLI and the keystore open the same file whatever their cwd. Unused on PostgreSQL. */
  keystoreDb: string;
  /** KEYSTORE_DATABASE_URL: the keystore runs on PostgreSQL instead of the SQLite file. */
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** REDIS_CLUSTER_URLS / REDIS_SENTINEL_URLS (+ REDIS_SENTINEL_MASTER), as given: the banner names them. */
  redisCluster: string | undefined;
  redisSentinel: { urls: string; master: string | undefined } | undefined;
}

export const DEFAULT_KEYSTORE_DB = 'data/keystore.sqlite';

const DEFAULT_PORTS = {
  PROXY_PORT: 5001,
  PROXY_ADMIN_PORT: 9901,
  API_PORT: 5002,
  KEYSTORE_PORT: 5003,
  AUTHZ_PORT: 5004,
} as const;

function set(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function port(env: Env, name: keyof typeof DEFAULT_PORTS): number {
  const raw = set(env, name);
  if (raw === undefined) return DEFAULT_PORTS[name];
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  // Port 0 would leave npm start unable to find the child to poll it.
  if (!(value >= 1 && value <= 65535)) throw new Error(`${name} must be a port number between 1 and 65535`);
  return value;
}

/**
 * The environment of the whole local stack, with defaults that agree with
 * each other: the proxy's UPSTREAM_URL and KEYSTORE_URL follow API_PORT and
 * KEYSTORE_PORT unless set. Pure: randomness and the cwd come in.
 */
export function deriveStackEnv(env: Env, options: { cwd: string; randomToken: () => string }): StackEnv {
  const ports: StackPorts = {
    proxy: port(env, 'PROXY_PORT'),
    proxyAdmin: port(env, 'PROXY_ADMIN_PORT'),
    authz: port(env, 'AUTHZ_PORT'),
    api: port(env, 'API_PORT'),
    keystore: port(env, 'KEYSTORE_PORT'),
  };
  const databaseUrl = set(env, 'KEYSTORE_DATABASE_URL');
  if (databaseUrl !== undefined && set(env, 'KEYSTORE_DB') !== undefined)
    throw new Error(
      'KEYSTORE_DATABASE_URL and KEYSTORE_DB are both set: the keystore runs on one of them, unset the other',
    );
  const keystoreDb = resolve(options.cwd, set(env, 'KEYSTORE_DB') ?? DEFAULT_KEYSTORE_DB);
  const inherited = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return {
    env: {
      ...inherited,
      PROXY_PORT: String(ports.proxy),
      PROXY_ADMIN_PORT: String(ports.proxyAdmin),
      AUTHZ_PORT: String(ports.authz),
      API_PORT: String(ports.api),
      KEYSTORE_PORT: String(ports.keystore),
      UPSTREAM_URL: set(env, 'UPSTREAM_URL') ?? `http://127.0.0.1:${ports.api}`,
      KEYSTORE_URL: set(env, 'KEYSTORE_URL') ?? `http://127.0.0.1:${ports.keystore}`,
      KEYSTORE_SERVICE_TOKEN: set(env, 'KEYSTORE_SERVICE_TOKEN') ?? options.randomToken(),
      // On PostgreSQL the keystore must not also be given a file (a config error).
      ...(databaseUrl === undefined ? { KEYSTORE_DB: keystoreDb } : {}),
    },
    ports,
    keystoreDb,
    databaseUrl,
    redisUrl: set(env, 'REDIS_URL'),
    redisCluster: set(env, 'REDIS_CLUSTER_URLS'),
    redisSentinel:
      set(env, 'REDIS_SENTINEL_URLS') === undefined
        ? undefined
        : { urls: set(env, 'REDIS_SENTINEL_URLS')!, master: set(env, 'REDIS_SENTINEL_MASTER') },
  };
}

export interface AdminLogin {
  email: string;
  /** Only when npm start generated it; a password the user chose is never printed. */
  generatedPassword: string | undefined;
}

/**
 * On first start the keystore creates the first dashboard user from
 * KEYSTORE_ADMIN_EMAIL/PASSWORD; whatever of the two is unset is filled in
 * here so the login can be printed once. Later starts are left alone: the
 * user already exists.
 */
export function withFirstLogin(
  stack: StackEnv,
  firstStart: boolean,
  randomPassword: () => string,
): { stack: StackEnv; login: AdminLogin | undefined } {
  if (!firstStart) return { stack, login: undefined };
  const email = set(stack.env, 'KEYSTORE_ADMIN_EMAIL') ?? 'admin@localhost';
  const chosen = set(stack.env, 'KEYSTORE_ADMIN_PASSWORD');
  const generatedPassword = chosen === undefined ? randomPassword() : undefined;
  const env = { ...stack.env, KEYSTORE_ADMIN_EMAIL: email, KEYSTORE_ADMIN_PASSWORD: chosen ?? generatedPassword ?? '' };
  return { stack: { ...stack, env }, login: { email, generatedPassword } };
}
