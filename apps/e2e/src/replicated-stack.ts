import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { ProcessGroup, type ManagedProcess } from '@routemcp/process-group';
import { startPostgres, type StartedPostgres } from '@routemcp/testing';
import { workspaceRoot } from './app-process.ts';
import { freePort } from '@routemcp/testing/free-port';

export interface KeystoreReplica {
  name: string;
  url: string;
  process: ManagedProcess;
  /** Management API call on this replica, with the admin token. */
  manage(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response shapes vary per call; tests assert them
}

export interface ReplicatedStack extends AsyncDisposable {
  postgres: StartedPostgres;
  /** Replica `a` is the first of the proxy's KEYSTORE_URL list, `b` the second. */
  a: KeystoreReplica;
  b: KeystoreReplica;
  proxyUrl: string;
  adminUrl: string;
  proxy: ManagedProcess;
  /** A new process for replica `a`, on its port and database (after the test killed the old one). */
  restartA(): Promise<KeystoreReplica>;
  /** Every line every process wrote, whole (the process group keeps only the tail). */
  logs(): string;
  /** The proxy's JSON log lines whose `msg` is `msg`. */
  proxyLog(msg: string): Record<string, unknown>[];
}

const ADMIN_TOKEN = randomBytes(24).toString('base64url');
const SERVICE_TOKEN = randomBytes(24).toString('base64url');

async function waitUntil(process: ManagedProcess, url: string, ok: (res: Response) => Promise<boolean>) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (process.exited()) throw new Error(`${process.name} exited:\n${process.output()}`);
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
    if (res !== undefined && (await ok(res))) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`${process.name} not ready at ${url} within 30 s:\n${process.output()}`);
}

/**
 * Two keystore replicas (real processes) on one PostgreSQL container, the
 * api, and one proxy given both replicas' URLs (`KEYSTORE_URL=a,b`), with a
 * long positive cache TTL so cached keys live on change events alone.
 */
export async function startReplicatedStack(): Promise<ReplicatedStack> {
  const group = new ProcessGroup();
  const output: string[] = [];
  const start = (name: string, entry: string, env: Record<string, string>) => {
    const managed = group.startNode(name, resolve(workspaceRoot, entry), { cwd: workspaceRoot, env });
    const keep = (data: Buffer) => void output.push(data.toString());
    managed.child.stdout?.on('data', keep);
    managed.child.stderr?.on('data', keep);
    return managed;
  };
  const postgres = await startPostgres();
  try {
    const databaseUrl = await postgres.createDatabase();
    const [portA, portB, apiPort, proxyPort, adminPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const launchKeystore = async (name: string, port: number): Promise<KeystoreReplica> => {
      const url = `http://127.0.0.1:${port}`;
      const managed = start(name, 'apps/keystore/src/main.ts', {
        KEYSTORE_PORT: String(port),
        KEYSTORE_HOST: '127.0.0.1',
        KEYSTORE_DATABASE_URL: databaseUrl,
        KEYSTORE_SERVICE_TOKEN: SERVICE_TOKEN,
        KEYSTORE_ADMIN_TOKEN: ADMIN_TOKEN,
      });
      await waitUntil(managed, `${url}/readyz`, async (res) => (await res.arrayBuffer(), res.ok));
      return { name, url, process: managed, manage: (method, path, body) => manage(url, method, path, body) };
    };
    // One after the other: the first migrates the fresh database.
    const a = await launchKeystore('keystore-a', portA);
    const b = await launchKeystore('keystore-b', portB);
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const api = start('api', 'apps/api/src/main.ts', { API_PORT: String(apiPort), API_HOST: '127.0.0.1' });
    await waitUntil(api, `${apiUrl}/healthz`, async (res) => (await res.arrayBuffer(), res.ok));
    const adminUrl = `http://127.0.0.1:${adminPort}`;
    const proxy = start('proxy', 'apps/proxy/src/main.ts', {
      PROXY_PORT: String(proxyPort),
      PROXY_ADMIN_PORT: String(adminPort),
      PROXY_HOST: '127.0.0.1',
      UPSTREAM_URL: apiUrl,
      KEYSTORE_URL: `${a.url},${b.url}`,
      KEYSTORE_SERVICE_TOKEN: SERVICE_TOKEN,
      CACHE_TTL_MS: '600000',
      LOG_LEVEL: 'info',
    });
    await waitUntil(proxy, `${adminUrl}/readyz`, async (res) => {
      const body = (await res.json().catch(() => ({}))) as { data?: { events?: string } };
      return res.ok && body.data?.events === 'connected';
    });
    const stack: ReplicatedStack = {
      postgres,
      a,
      b,
      proxyUrl: `http://127.0.0.1:${proxyPort}`,
      adminUrl,
      proxy,
      async restartA() {
        await stack.a.process.stop();
        stack.a = await launchKeystore('keystore-a', portA);
        return stack.a;
      },
      logs: () => output.join(''),
      proxyLog: (msg) =>
        output
          .join('')
          .split('\n')
          .filter((line) => line.includes(`"msg":"${msg}"`) && line.includes('"service":"routemcp-proxy"'))
          .map((line) => JSON.parse(line) as Record<string, unknown>),
      async [Symbol.asyncDispose]() {
        await group.stopAll();
        await postgres[Symbol.asyncDispose]();
      },
    };
    return stack;
  } catch (error) {
    await group.stopAll();
    await postgres[Symbol.asyncDispose]();
    throw error;
  }
}

async function manage(baseUrl: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, json: await res.json() };
}
