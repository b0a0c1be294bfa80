import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from '@routemcp/testing/free-port';
import { httpOk, redisPing, waitUntil } from './loopback.ts';
import type { ManagedProcess, ProcessGroup } from '@routemcp/process-group';

const ROOT = resolve(import.meta.dirname, '../../..');
/** Keys the load uses: big enough buckets that the per-key limit never answers during the soak. */
const ROOMY = { capacity: 1_000_000, refillPerSecond: 100_000 };

export interface Stack {
  proxyUrl: string;
  adminUrl: string;
  proxy: ManagedProcess;
  keystore: ManagedProcess;
  redis: ManagedProcess | null;
  keys: string[];
  /** Kills and starts again on the same port (and database): Redis comes back with an empty script cache. */
  restartKeystore(): Promise<void>;
  restartRedis(): Promise<void>;
}

export function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function node(
  group: ProcessGroup,
  name: string,
  entry: string,
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): ManagedProcess {
  return group.startNode(name, resolve(ROOT, entry), { env: { LOG_LEVEL: 'warn', ...env }, nodeArgs });
}

/** The Node flags the proxy ships with (Dockerfile, start script): the soak watches the memory of what runs. */
function proxyNodeFlags(): string[] {
  return JSON.parse(readFileSync(resolve(ROOT, 'apps/proxy/node-flags.json'), 'utf8')) as string[];
}

export async function startStack(
  group: ProcessGroup,
  options: { dir: string; redis: boolean; keys: number },
): Promise<Stack> {
  const [apiPort, keystorePort, proxyPort, adminPort, redisPort] = await Promise.all(
    Array.from({ length: 5 }, () => freePort()),
  );
  const serviceToken = randomBytes(24).toString('base64url');
  const adminToken = randomBytes(24).toString('base64url');
  const keystoreUrl = `http://127.0.0.1:${keystorePort}`;

  const startRedis = async () => {
    const args = [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      options.dir,
    ];
    const redis = group.start('redis', 'redis-server', args);
    await waitUntil(
      'redis',
      () => redisPing(redisPort!),
      () => !redis.exited(),
    );
    return redis;
  };
  const startKeystore = async () => {
    const keystore = node(group, 'keystore', 'apps/keystore/src/main.ts', {
      KEYSTORE_PORT: String(keystorePort),
      KEYSTORE_HOST: '127.0.0.1',
      KEYSTORE_DB: join(options.dir, 'keystore.sqlite'),
      KEYSTORE_SERVICE_TOKEN: serviceToken,
      KEYSTORE_ADMIN_TOKEN: adminToken,
    });
    await waitUntil(
      'keystore',
      () => httpOk(`${keystoreUrl}/healthz`),
      () => !keystore.exited(),
    );
    return keystore;
  };

  let redis = options.redis ? await startRedis() : null;
  let keystore = await startKeystore();
  const api = node(group, 'api', 'apps/api/src/main.ts', { API_PORT: String(apiPort), API_HOST: '127.0.0.1' });
  await waitUntil(
    'api',
    () => httpOk(`http://127.0.0.1:${apiPort}/healthz`),
    () => !api.exited(),
  );
  const proxy = node(
    group,
    'proxy',
    'apps/proxy/src/main.ts',
    {
      PROXY_PORT: String(proxyPort),
      PROXY_ADMIN_PORT: String(adminPort),
      PROXY_HOST: '127.0.0.1',
      UPSTREAM_URL: `http://127.0.0.1:${apiPort}`,
      KEYSTORE_URL: keystoreUrl,
      KEYSTORE_SERVICE_TOKEN: serviceToken,
      ...(redis === null ? {} : { REDIS_URL: `redis://127.0.0.1:${redisPort}` }),
    },
    proxyNodeFlags(),
  );
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  await waitUntil(
    'proxy',
    () => httpOk(`${adminUrl}/healthz`),
    () => !proxy.exited(),
  );

  const keys: string[] = [];
  for (let i = 0; i < options.keys; i++) keys.push(await createKey(keystoreUrl, adminToken));

  return {
    proxyUrl: `http://127.0.0.1:${proxyPort}`,
    adminUrl,
    proxy,
    get keystore() {
      return keystore;
    },
    get redis() {
      return redis;
    },
    keys,
    async restartKeystore() {
      await keystore.kill();
      keystore = await startKeystore();
    },
    async restartRedis() {
      if (redis === null) return;
      await redis.kill();
      redis = await startRedis();
    },
  };
}

async function createKey(keystoreUrl: string, adminToken: string): Promise<string> {
  const res = await fetch(`${keystoreUrl}/v1/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ environment: 'live', name: 'soak', rateLimit: ROOMY }),
  });
  const body = (await res.json()) as { data?: { key?: string } };
  if (!res.ok || typeof body.data?.key !== 'string') throw new Error(`creating a key failed: HTTP ${res.status}`);
  return body.data.key;
}
