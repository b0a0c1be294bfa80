import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_POSTGRES_IMAGE } from './postgres-container.ts';
import { DEFAULT_REDIS_IMAGE, RUN_LABEL } from './redis-container.ts';
import { docker, imageExists } from './docker.ts';

const run = promisify(execFile);
const workspaceRoot = resolve(import.meta.dirname, '../../..');

/**
 * Vitest globalSetup for suites that start containers. Makes `npm test` work
 * unchanged both where the official images can be pulled and on machines with
 * no registry (there it builds local images from host binaries), and removes
 * every container this run started (and only those: suites of other
 * projects may run beside it), since Ryuk (the testcontainers reaper) is
 * an image that may not be pullable either.
 */
export async function setup(): Promise<void> {
  process.env.ROUTEMCP_TEST_RUN ??= randomUUID();
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  await docker('version', '--format', '{{.Server.Version}}').catch((error: unknown) => {
    throw new Error(`integration tests need a running Docker engine (${String(error)})`);
  });
  let missing = false;
  for (const [variable, official] of IMAGES) {
    if (process.env[variable]) continue;
    if ((await imageExists(official)) || (await pull(official))) process.env[variable] = official;
    else missing = true;
  }
  if (!missing) return;
  const { stdout } = await run(resolve(workspaceRoot, 'tools/images/build-local-images.sh'), { timeout: 300_000 });
  // Only what is still unset: an image the caller named, or an official one that was found, stays.
  for (const [, name, value] of stdout.matchAll(/^export (\w+)=(\S+)$/gm)) process.env[name!] ??= value;
}

/** Each suite's image variable and the official image it defaults to. */
const IMAGES: readonly (readonly [string, string])[] = [
  ['REDIS_IMAGE', DEFAULT_REDIS_IMAGE],
  ['POSTGRES_IMAGE', DEFAULT_POSTGRES_IMAGE],
];

export async function teardown(): Promise<void> {
  const ids = await docker('ps', '-aq', '--filter', `label=${RUN_LABEL}=${process.env.ROUTEMCP_TEST_RUN}`).catch(
    () => '',
  );
  if (ids) await docker('rm', '-f', '-v', ...ids.split('\n')).catch(() => undefined);
}

async function pull(image: string): Promise<boolean> {
  try {
    await docker('pull', '-q', image);
    return true;
  } catch {
    return false;
  }
}
