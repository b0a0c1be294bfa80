import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from '@routemcp/testing/free-port';
import { waitForHttp } from '../wait-for-http.ts';
import { workspaceRoot } from '../workspace.ts';
import type { ManagedProcess, ProcessGroup } from '@routemcp/process-group';

export const APP_ENTRIES = {
  api: 'apps/api/src/main.ts',
  keystore: 'apps/keystore/src/main.ts',
  proxy: 'apps/proxy/src/main.ts',
} as const;

export type AppName = keyof typeof APP_ENTRIES;

/** The Node flags the proxy ships with (its Dockerfile and start script use the same): the bench measures what runs. */
export function shippedProxyNodeFlags(): string[] {
  const file = resolve(workspaceRoot, 'apps/proxy/node-flags.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as string[]) : [];
}

export function appExists(name: AppName): boolean {
  return existsSync(resolve(workspaceRoot, APP_ENTRIES[name]));
}

export interface RunningApp {
  url: string;
  process: ManagedProcess;
}

function startNodeApp(
  group: ProcessGroup,
  name: string,
  entry: string,
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): ManagedProcess {
  return group.startNode(name, resolve(workspaceRoot, entry), {
    cwd: workspaceRoot,
    env: { LOG_LEVEL: 'warn', NODE_ENV: 'production', ...env },
    nodeArgs,
  });
}

export async function startApi(group: ProcessGroup): Promise<RunningApp> {
  const port = await freePort();
  const app = startNodeApp(group, 'api', APP_ENTRIES.api, { API_PORT: String(port), API_HOST: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(app, `${url}/healthz`);
  return { url, process: app };
}

/** The keystore's storage back ends: (cache-miss) and (revocation) run once per kind (see KeystoreSetup). */
export type KeystoreKind = 'sqlite' | 'postgres';

export type KeystoreDatabase =
  | { kind: 'sqlite'; path: string }
  /** `url` carries a password: never print it. */
  | { kind: 'postgres'; url: string };

/** What proxies and the admin client present; every replica of one database shares them. */
export interface KeystoreTokens {
  serviceToken: string;
  adminToken: string;
}

export function newKeystoreTokens(): KeystoreTokens {
  return { serviceToken: randomBytes(24).toString('base64url'), adminToken: randomBytes(24).toString('base64url') };
}

export interface RunningKeystore extends RunningApp, KeystoreTokens {
  kind: KeystoreKind;
  database: KeystoreDatabase;
}

export async function startKeystore(
  group: ProcessGroup,
  launch: { name: string; database: KeystoreDatabase; tokens: KeystoreTokens },
): Promise<RunningKeystore> {
  const { database, tokens } = launch;
  const port = await freePort();
  const app = startNodeApp(group, launch.name, APP_ENTRIES.keystore, {
    KEYSTORE_PORT: String(port),
    KEYSTORE_HOST: '127.0.0.1',
    // One or the other: the keystore refuses both.
    ...(database.kind === 'sqlite' ? { KEYSTORE_DB: database.path } : { KEYSTORE_DATABASE_URL: database.url }),
    KEYSTORE_SERVICE_TOKEN: tokens.serviceToken,
    KEYSTORE_ADMIN_TOKEN: tokens.adminToken,
    // 100k created keys are 100k events; keep them all replayable during the run.
    KEYSTORE_EVENT_RETENTION: '1000000',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(app, `${url}/healthz`);
  // Ready: its database answers (PostgreSQL: connected and migrated).
  await waitForHttp(app, `${url}/readyz`);
  return { url, process: app, kind: database.kind, database, ...tokens };
}

export interface ProxyLaunch {
  name: string;
  upstreamUrl: string;
  keystore: RunningKeystore;
  redisUrl?: string;
  env?: Record<string, string>;
  /** Node/V8 flags on the command line (not NODE_OPTIONS, which refuses most V8 flags), e.g. `--cpu-prof --cpu-prof-dir=…` */
  nodeOptions?: string;
}

export interface RunningProxy extends RunningApp {
  adminUrl: string;
}

export async function startProxy(group: ProcessGroup, launch: ProxyLaunch): Promise<RunningProxy> {
  const [port, adminPort] = [await freePort(), await freePort()];
  // Later flags win, so --proxy-node-options can override a shipped one.
  const nodeArgs = [...shippedProxyNodeFlags(), ...(launch.nodeOptions?.split(/\s+/).filter(Boolean) ?? [])];
  const app = startNodeApp(
    group,
    launch.name,
    APP_ENTRIES.proxy,
    {
      PROXY_PORT: String(port),
      PROXY_ADMIN_PORT: String(adminPort),
      PROXY_HOST: '127.0.0.1',
      UPSTREAM_URL: launch.upstreamUrl,
      KEYSTORE_URL: launch.keystore.url,
      KEYSTORE_SERVICE_TOKEN: launch.keystore.serviceToken,
      ...(launch.redisUrl ? { REDIS_URL: launch.redisUrl } : {}),
      ...launch.env,
    },
    nodeArgs,
  );
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  await waitForHttp(app, `${adminUrl}/healthz`);
  // Ready means Redis and the keystore event stream are connected; measuring before that measures fallbacks.
  await waitForHttp(app, `${adminUrl}/readyz`, 15_000);
  return { url: `http://127.0.0.1:${port}`, adminUrl, process: app };
}
