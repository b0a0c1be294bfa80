import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, waitUntilHealthy, type AppProcess } from './app-process.ts';
import { freePort } from '@routemcp/testing/free-port';

export interface DashboardStack extends AsyncDisposable {
  proxyUrl: string;
  keystoreUrl: string;
  login: { email: string; password: string };
  logs(): string;
}

/**
 * Keystore (with its first dashboard user), api and proxy as real processes
 * on free loopback ports, the way `npm start` runs them. Same pattern as
 * apps/e2e/src/stack.ts, kept apart because apps do not import apps.
 */
export async function startDashboardStack(
  options: {
    /** More keystore variables, given its URL (which is only known here). */
    keystoreEnv?: (keystoreUrl: string) => Record<string, string>;
  } = {},
): Promise<DashboardStack> {
  const dir = mkdtempSync(join(tmpdir(), 'routemcp-dashboard-e2e-'));
  const [proxyPort, adminPort, apiPort, keystorePort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const serviceToken = randomBytes(24).toString('base64url');
  const login = { email: 'admin@routemcp.test', password: randomBytes(12).toString('base64url') };
  const keystoreUrl = `http://127.0.0.1:${keystorePort}`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const apps: AppProcess[] = [];
  try {
    const keystore = startApp('keystore', 'apps/keystore/src/main.ts', {
      KEYSTORE_PORT: String(keystorePort),
      KEYSTORE_HOST: '127.0.0.1',
      KEYSTORE_DB: join(dir, 'keystore.sqlite'),
      KEYSTORE_SERVICE_TOKEN: serviceToken,
      KEYSTORE_ADMIN_EMAIL: login.email,
      KEYSTORE_ADMIN_PASSWORD: login.password,
      // Invitation links must open here, on the loopback address listened on.
      KEYSTORE_PUBLIC_URL: keystoreUrl,
      ...options.keystoreEnv?.(keystoreUrl),
    });
    const api = startApp('api', 'apps/api/src/main.ts', { API_PORT: String(apiPort), API_HOST: '127.0.0.1' });
    apps.push(keystore, api);
    await Promise.all([
      waitUntilHealthy(keystore, `${keystoreUrl}/healthz`),
      waitUntilHealthy(api, `${apiUrl}/healthz`),
    ]);
    const proxy = startApp('proxy', 'apps/proxy/src/main.ts', {
      PROXY_PORT: String(proxyPort),
      PROXY_ADMIN_PORT: String(adminPort),
      PROXY_HOST: '127.0.0.1',
      UPSTREAM_URL: apiUrl,
      KEYSTORE_URL: keystoreUrl,
      KEYSTORE_SERVICE_TOKEN: serviceToken,
    });
    apps.push(proxy);
    await waitUntilHealthy(proxy, `http://127.0.0.1:${adminPort}/healthz`);
  } catch (error) {
    await Promise.all(apps.map((app) => app.stop()));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    proxyUrl: `http://127.0.0.1:${proxyPort}`,
    keystoreUrl,
    login,
    logs: () => apps.map((app) => app.output()).join('\n'),
    async [Symbol.asyncDispose]() {
      // Proxy first, so it does not log the keystore going away as a failure.
      for (const app of [...apps].reverse()) await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
