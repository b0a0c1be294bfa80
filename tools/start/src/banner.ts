import type { AdminLogin, StackPorts } from './stack-env.ts';
import { redactUrl } from './redact-url.ts';

export interface BannerInput {
  ports: StackPorts;
  redisUrl: string | undefined;
  redisCluster?: string | undefined;
  redisSentinel?: { urls: string; master: string | undefined } | undefined;
  keystoreDb: string;
  /** KEYSTORE_DATABASE_URL when the keystore runs on PostgreSQL. */
  databaseUrl?: string | undefined;
  /** Set only when the DB path differs from the default, so the `npm run keys` hint opens the same file. */
  customDb: boolean;
  /** The first key, on first start only. */
  firstKey: string | undefined;
  firstStart: boolean;
  login: AdminLogin | undefined;
  nodeVersion: string;
}

const CURL = (port: number, key: string) =>
  `curl "http://localhost:${port}/api/v1/contact?provider=hubspot" -H "Authorization: Bearer ${key}"`;

/** What the user reads once everything is ready. Pure, so the wording is tested. */
export function renderBanner(input: BannerInput): string {
  const { ports } = input;
  const onPostgres = input.databaseUrl !== undefined;
  const keysCommand = onPostgres
    ? 'npm run keys -- create --env test   (with the same KEYSTORE_DATABASE_URL set)'
    : `${input.customDb ? `KEYSTORE_DB=${input.keystoreDb} ` : ''}npm run keys -- create --env test`;
  const urls = (list: string) =>
    list
      .split(',')
      .map((url) => redactUrl(url.trim()))
      .join(', ');
  const limiter =
    input.redisUrl !== undefined
      ? `Redis at ${redactUrl(input.redisUrl)}`
      : input.redisCluster !== undefined
        ? `Redis Cluster at ${urls(input.redisCluster)}`
        : input.redisSentinel !== undefined
          ? `Redis Sentinel at ${urls(input.redisSentinel.urls)}, master ${input.redisSentinel.master ?? '(REDIS_SENTINEL_MASTER unset)'}`
          : 'in-memory (one proxy; set REDIS_URL to keep buckets in Redis)';
  const places: [string, string, string][] = [
    ['proxy', `http://localhost:${ports.proxy}`, 'send your requests here'],
    [
      'authz',
      `http://localhost:${ports.authz}/authz`,
      'forward auth for nginx, Caddy, Traefik, Envoy (docs/forward-auth.md)',
    ],
    ['api', `http://localhost:${ports.api}`, 'the upstream (no auth; reach it through the proxy)'],
    ['keystore', `http://localhost:${ports.keystore}`, 'key management API and dashboard'],
    [
      'admin',
      `http://localhost:${ports.proxyAdmin}/metrics`,
      'proxy health (/healthz, /readyz) and Prometheus metrics',
    ],
  ];
  const width = Math.max(...places.map(([, url]) => url.length));
  const lines = [
    '',
    `RouteMCP Gateway is up (Node ${input.nodeVersion})`,
    '',
    ...places.map(([name, url, note]) => `  ${name.padEnd(10)} ${url.padEnd(width)}  ${note}`),
    `  ${'limiter'.padEnd(10)} ${limiter}`,
    `  ${'database'.padEnd(10)} ${input.databaseUrl === undefined ? input.keystoreDb : `PostgreSQL at ${redactUrl(input.databaseUrl)}`}`,
    `  ${'logs'.padEnd(10)} below, one line per event, prefixed by app name`,
    '',
  ];

  if (input.firstKey !== undefined) {
    lines.push(
      'Your first sandbox key (shown only once: copy it now):',
      '',
      `  ${input.firstKey}`,
      '',
      'Try it:',
      '',
      `  ${CURL(ports.proxy, input.firstKey)}`,
      '',
    );
  } else if (input.firstStart) {
    lines.push('The first key could not be read from the key CLI; make one with:', `  ${keysCommand}`, '');
  } else if (onPostgres) {
    lines.push(
      'On PostgreSQL no key is made for you. Make one, then try it:',
      `  ${keysCommand}`,
      `  ${CURL(ports.proxy, '$ROUTERMCP_API_KEY')}`,
      'Dashboard: the keystore creates its first user from KEYSTORE_ADMIN_EMAIL and KEYSTORE_ADMIN_PASSWORD',
      'when the database has none.',
      '',
    );
  } else {
    lines.push(
      'Try it with a key you made earlier:',
      `  ${CURL(ports.proxy, '$ROUTERMCP_API_KEY')}`,
      `Make another key: ${keysCommand}`,
      '',
    );
  }

  if (input.login !== undefined) {
    lines.push(`Dashboard login (http://localhost:${ports.keystore}/):`, `  email     ${input.login.email}`);
    lines.push(
      input.login.generatedPassword === undefined
        ? '  password  the one in KEYSTORE_ADMIN_PASSWORD'
        : `  password  ${input.login.generatedPassword}    (generated; shown only once)`,
      '',
    );
  }
  lines.push('Stop with Ctrl-C.', '');
  return lines.join('\n');
}
