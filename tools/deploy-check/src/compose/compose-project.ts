import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { docker } from '@routemcp/testing';
import { workspaceRoot } from '../manifests.ts';
import { findComposeCli, type ComposeCli } from './compose-cli.ts';
import { fillEnvExample } from './env-file.ts';
import { freePort } from '@routemcp/testing/free-port';

const run = promisify(execFile);
const APPS = ['proxy', 'keystore', 'api'] as const;
/** Three images from their Dockerfiles: layer-cached, but a cold build on a busy 2-core machine takes minutes. */
const BUILD_TIMEOUT_MS = 420_000;

/** The repository's docker-compose.yml, brought up as a new user does, under a project name of its own. */
export interface ComposeProject extends AsyncDisposable {
  cli: ComposeCli;
  /** The published proxy port on this machine, as the docs' `localhost:5001`. */
  proxyPort: number;
  adminUrl: string;
  /** The `keystore` service, published on this machine's loopback. */
  keystoreUrl: string;
  /** The `keystore-2` service of docker-compose.postgres.yml (published there only). */
  secondKeystoreUrl: string;
  adminToken: string;
  /** Runs compose on this project (same files, env file and project name); its stdout. */
  compose(args: string[], timeoutMs?: number): Promise<string>;
  /** `ps` and the last log lines of every service, for a failure message. */
  diagnostics(): Promise<string>;
}

export interface ComposeOptions {
  /** Files given after docker-compose.yml with `-f`, as the docs' commands do (overrides). */
  overrides?: readonly string[];
  /** Empty lines of .env.example to fill in besides the two tokens. */
  fill?: Record<string, string>;
}

/**
 * `cp .env.example .env`, the two tokens filled in (and `options.fill`),
 * `up --build -d` on docker-compose.yml and `options.overrides`, then
 * waits until the proxy is ready with its key event stream connected. Host
 * ports are free ones (the *_PUBLISH_PORT variables), images get a tag of
 * their own (IMAGE_TAG), and the base images come from the environment when
 * global setup built local ones. `down -v` on dispose, and on any failure.
 */
export async function upFromEnvExample(options: ComposeOptions = {}): Promise<ComposeProject> {
  const cli = await findComposeCli();
  const runId = randomBytes(4).toString('hex');
  const name = `routemcp-it-${runId}`;
  const tag = `it-${runId}`;
  const dir = mkdtempSync(join(tmpdir(), 'routemcp-compose-'));
  const adminToken = randomBytes(32).toString('hex');
  const envFile = join(dir, 'env');
  writeFileSync(
    envFile,
    fillEnvExample(readFileSync(join(workspaceRoot, '.env.example'), 'utf8'), {
      KEYSTORE_SERVICE_TOKEN: randomBytes(32).toString('hex'),
      KEYSTORE_ADMIN_TOKEN: adminToken,
      ...options.fill,
    }),
    { mode: 0o600 },
  );
  const [proxyPort, adminPort, keystorePort, secondKeystorePort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  // Compose lets the shell's variables override the env file: pass nothing of the caller's but what docker needs.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    ...pick(process.env, [
      'DOCKER_HOST',
      'DOCKER_CONFIG',
      'NODE_BASE_IMAGE',
      'NODE_BUILD_IMAGE',
      'REDIS_IMAGE',
      'POSTGRES_IMAGE',
    ]),
    IMAGE_TAG: tag,
    PROXY_PUBLISH_PORT: String(proxyPort),
    PROXY_ADMIN_PUBLISH_PORT: String(adminPort),
    KEYSTORE_PUBLISH_PORT: String(keystorePort),
    KEYSTORE_2_PUBLISH_PORT: String(secondKeystorePort),
  };
  const files = ['docker-compose.yml', ...(options.overrides ?? [])].flatMap((file) => ['-f', file]);
  const compose = async (args: string[], timeoutMs = 60_000) => {
    const { stdout } = await run(cli.command, [...cli.prefix, '--env-file', envFile, '-p', name, ...files, ...args], {
      cwd: workspaceRoot,
      env,
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  };
  const diagnostics = async () => {
    const ps = await compose(['ps']).catch((error: unknown) => String(error));
    const logs = await compose(['logs', '--no-color', '--tail', '20']).catch((error: unknown) => String(error));
    return `${cli.label}, project ${name}\n${ps}\n${logs}`;
  };
  const down = async () => {
    await compose(['down', '-v', '--timeout', '15']).catch(() => undefined);
    // --no-prune keeps the parent layers: the next run's build is still cached.
    await docker('rmi', '--no-prune', ...APPS.map((app) => `routemcp/${app}:${tag}`)).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  try {
    // Building is CPU work whose length follows the machine's load; starting is
    // waiting on health checks. Each gets its own deadline, so a slow build on a
    // busy machine does not eat the time the containers need to become healthy.
    await compose(['build'], BUILD_TIMEOUT_MS).catch((error: { stderr?: string }) => {
      throw new Error(`build failed: ${tail(error.stderr ?? String(error))}`);
    });
    await compose(['up', '-d'], 170_000).catch(async (error: { stderr?: string }) => {
      throw new Error(`up failed: ${tail(error.stderr ?? String(error))}\n${await diagnostics()}`);
    });
    await waitUntilReady(adminUrl, 60_000).catch(async (error: unknown) => {
      throw new Error(`${String(error)}\n${await diagnostics()}`);
    });
  } catch (error) {
    await down();
    throw error;
  }
  return {
    cli,
    proxyPort,
    adminUrl,
    keystoreUrl: `http://127.0.0.1:${keystorePort}`,
    secondKeystoreUrl: `http://127.0.0.1:${secondKeystorePort}`,
    adminToken,
    compose,
    diagnostics,
    [Symbol.asyncDispose]: down,
  };
}

async function waitUntilReady(adminUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${adminUrl}/readyz`, { signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { data?: { events?: string } };
      if (res.ok && body.data?.events === 'connected') return;
      last = `${res.status} ${JSON.stringify(body)}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`the proxy was not ready at ${adminUrl}/readyz within ${timeoutMs} ms (last: ${last})`);
}

function pick(from: NodeJS.ProcessEnv, names: string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((name) => (from[name] ? [[name, from[name]]] : [])));
}

function tail(text: string, lines = 20): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
