import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { ManagedProcess, ProcessGroup } from '@routemcp/process-group';
import { freePort } from '@routemcp/testing/free-port';
import { workspaceRoot } from '../manifests.ts';

/** Redis, the keystore (SQLite in `dir`), the api and a proxy with two workers, as processes on loopback. */
export interface LiveStack {
  proxyUrl: string;
  adminUrl: string;
  keystoreUrl: string;
  processes: { redis: ManagedProcess; keystore: ManagedProcess; api: ManagedProcess; proxy: ManagedProcess };
  /** A key made through the management API with the admin token. */
  createKey(body: Record<string, unknown>): Promise<string>;
}

export interface LiveStackOptions {
  dir: string;
  /** Extra proxy environment (timeouts, flush interval …). */
  proxyEnv?: Record<string, string>;
  logLevel?: string;
}

/**
 * Everything the dashboard and the alerts read from: the proxy runs with
 * PROXY_WORKERS=2, so its admin port serves the cluster's series too
 * (workers, worker restarts) besides every series a single process has.
 */
export async function startLiveStack(group: ProcessGroup, options: LiveStackOptions): Promise<LiveStack> {
  const [redisPort, keystorePort, apiPort, proxyPort, adminPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const serviceToken = randomBytes(24).toString('base64url');
  const adminToken = randomBytes(24).toString('base64url');
  const keystoreUrl = `http://127.0.0.1:${keystorePort}`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const logLevel = options.logLevel ?? 'warn';
  const app = (name: string, entry: string, env: Record<string, string>) =>
    group.startNode(name, join(workspaceRoot, entry), { cwd: workspaceRoot, env: { LOG_LEVEL: logLevel, ...env } });

  const redis = group.start('redis', 'redis-server', [
    ...['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', options.dir],
    ...['--save', '', '--appendonly', 'no'],
  ]);
  const keystore = app('keystore', 'apps/keystore/src/main.ts', {
    KEYSTORE_PORT: String(keystorePort),
    KEYSTORE_HOST: '127.0.0.1',
    KEYSTORE_DB: join(options.dir, 'keystore.sqlite'),
    KEYSTORE_SERVICE_TOKEN: serviceToken,
    KEYSTORE_ADMIN_TOKEN: adminToken,
  });
  const api = app('api', 'apps/api/src/main.ts', { API_PORT: String(apiPort), API_HOST: '127.0.0.1' });
  await Promise.all([
    waitFor(redis, () => redisAnswers(redisPort)),
    waitFor(keystore, () => answers(`${keystoreUrl}/healthz`)),
    waitFor(api, () => answers(`${apiUrl}/healthz`)),
  ]);
  const proxy = app('proxy', 'apps/proxy/src/main.ts', {
    PROXY_PORT: String(proxyPort),
    PROXY_ADMIN_PORT: String(adminPort),
    PROXY_HOST: '127.0.0.1',
    PROXY_WORKERS: '2',
    UPSTREAM_URL: apiUrl,
    KEYSTORE_URL: keystoreUrl,
    KEYSTORE_SERVICE_TOKEN: serviceToken,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    ...options.proxyEnv,
  });
  // Ready on shared buckets with every worker's event stream connected.
  await waitFor(proxy, async () => {
    const res = await fetch(`${adminUrl}/readyz`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { data?: { events?: string; limiter?: string; workers?: number } };
    return res.ok && body.data?.events === 'connected' && body.data.limiter === 'redis' && body.data.workers === 2;
  });

  return {
    proxyUrl: `http://127.0.0.1:${proxyPort}`,
    adminUrl,
    keystoreUrl,
    processes: { redis, keystore, api, proxy },
    async createKey(body) {
      const res = await fetch(`${keystoreUrl}/v1/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const created = (await res.json()) as { data?: { key?: string } };
      // Only the status goes into the message: the body holds the key.
      if (res.status !== 201 || typeof created.data?.key !== 'string') throw new Error(`POST /v1/keys → ${res.status}`);
      return created.data.key;
    },
  };
}

async function waitFor(process: ManagedProcess, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (process.exited()) throw new Error(`${process.name} exited while starting:\n${process.output()}`);
    if (await probe().catch(() => false)) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`${process.name} not ready within ${timeoutMs} ms:\n${process.output()}`);
}

async function answers(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
  await res.arrayBuffer();
  return res.ok;
}

function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => (socket.destroy(), resolve(ok));
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}
