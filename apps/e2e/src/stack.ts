import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, waitUntilHealthy, type AppProcess } from './app-process.ts';
import { freePort } from '@routemcp/testing/free-port';

export interface StackOptions {
  redisUrl?: string;
  /** Extra proxy environment (cache TTLs, public paths, …). */
  proxyEnv?: Record<string, string>;
  /** Extra keystore environment (leak actions, GitHub's keys URL, tracing, …). */
  keystoreEnv?: Record<string, string>;
}

export interface Stack extends AsyncDisposable {
  proxyUrl: string;
  adminUrl: string;
  apiUrl: string;
  keystoreUrl: string;
  adminToken: string;
  /** What proxies present to the keystore's internal API (for proxies pointed at a fake keystore, say). */
  serviceToken: string;
  /** The keystore's SQLite file (for the operator CLI, or a restart on the same data). */
  keystoreDb: string;
  /** `keystore` is replaced by `restartKeystore()`. */
  apps: { keystore: AppProcess; api: AppProcess; proxy: AppProcess };
  /**
   * Starts a new keystore process on the same port and database. Stops the
   * running one first (SIGTERM) unless it is already gone (killed by a test).
   */
  restartKeystore(): Promise<AppProcess>;
  /** Management API call with the admin token. */
  manage(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response shapes vary per call; tests assert them
  /** Another proxy on the same keystore, upstream and Redis (several sidecars, one shared bucket). */
  startProxy(env?: Record<string, string>): Promise<{ url: string; adminUrl: string; app: AppProcess }>;
  /** Everything the apps logged. */
  logs(): string;
}

async function waitUntilRedisLimiter(app: AppProcess, adminUrl: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (app.child.exitCode !== null) throw new Error(`${app.name} exited with ${app.child.exitCode}:\n${app.output()}`);
    const ready = await fetch(`${adminUrl}/readyz`, { signal: AbortSignal.timeout(1000) })
      .then((res) => res.json() as Promise<{ data?: { limiter?: string } }>)
      .catch(() => undefined);
    if (ready?.data?.limiter === 'redis') return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`${app.name} at ${adminUrl} never reported limiter "redis" within ${timeoutMs} ms:\n${app.output()}`);
}

/** Keystore, api and proxy as real processes on free loopback ports, like `npm start` runs them. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'routemcp-e2e-'));
  const [proxyPort, adminPort, apiPort, keystorePort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const serviceToken = randomBytes(24).toString('base64url');
  const adminToken = randomBytes(24).toString('base64url');
  const keystoreUrl = `http://127.0.0.1:${keystorePort}`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const keystoreDb = join(dir, 'keystore.sqlite');
  const launchKeystore = () =>
    startApp('keystore', 'apps/keystore/src/main.ts', {
      KEYSTORE_PORT: String(keystorePort),
      KEYSTORE_HOST: '127.0.0.1',
      KEYSTORE_DB: keystoreDb,
      KEYSTORE_SERVICE_TOKEN: serviceToken,
      KEYSTORE_ADMIN_TOKEN: adminToken,
      ...options.keystoreEnv,
    });
  const keystore = launchKeystore();
  const pastKeystores: AppProcess[] = [];
  const api = startApp('api', 'apps/api/src/main.ts', { API_PORT: String(apiPort), API_HOST: '127.0.0.1' });
  await Promise.all([waitUntilHealthy(keystore, `${keystoreUrl}/healthz`), waitUntilHealthy(api, `${apiUrl}/healthz`)]);
  const extraProxies: AppProcess[] = [];
  const launchProxy = async (port: number, adminPort: number, env: Record<string, string> = {}) => {
    const app = startApp('proxy', 'apps/proxy/src/main.ts', {
      PROXY_PORT: String(port),
      PROXY_ADMIN_PORT: String(adminPort),
      PROXY_HOST: '127.0.0.1',
      UPSTREAM_URL: apiUrl,
      KEYSTORE_URL: keystoreUrl,
      KEYSTORE_SERVICE_TOKEN: serviceToken,
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
      // The 50 ms default is for production; on a loaded 2-core CI box a healthy Redis can be slower,
      // and a timed-out take is answered by the local bucket (by design), which would blur exact counts.
      // Fault tests still see the fallback: a paused Redis never answers.
      REDIS_TIMEOUT_MS: '500',
      ...options.proxyEnv,
      ...env,
    });
    const adminUrl = `http://127.0.0.1:${adminPort}`;
    await waitUntilHealthy(app, `${adminUrl}/healthz`);
    // The limiter connects to Redis in the background; until then buckets are local, not shared.
    if (options.redisUrl !== undefined && env.REDIS_URL === undefined) await waitUntilRedisLimiter(app, adminUrl);
    return { url: `http://127.0.0.1:${port}`, adminUrl, app };
  };
  const { app: proxy, adminUrl } = await launchProxy(proxyPort, adminPort);
  const apps = { keystore, api, proxy };
  return {
    proxyUrl: `http://127.0.0.1:${proxyPort}`,
    adminUrl,
    apiUrl,
    keystoreUrl,
    adminToken,
    serviceToken,
    keystoreDb,
    apps,
    async restartKeystore() {
      const old = apps.keystore;
      await old.stop();
      pastKeystores.push(old);
      apps.keystore = launchKeystore();
      await waitUntilHealthy(apps.keystore, `${keystoreUrl}/healthz`);
      return apps.keystore;
    },
    async manage(method, path, body) {
      const res = await fetch(`${keystoreUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${adminToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, json: await res.json() };
    },
    async startProxy(env) {
      const started = await launchProxy(await freePort(), await freePort(), env);
      extraProxies.push(started.app);
      return started;
    },
    logs: () => [...pastKeystores, apps.keystore, api, proxy, ...extraProxies].map((app) => app.output()).join('\n'),
    async [Symbol.asyncDispose]() {
      await Promise.all([proxy, ...extraProxies].map((app) => app.stop()));
      await Promise.all([api.stop(), apps.keystore.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
