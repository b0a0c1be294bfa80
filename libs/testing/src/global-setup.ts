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
  const problem = await dockerEngineProblem();
  if (problem !== undefined) {
    // Thrown, this would print as an "unhandled error" with a stack and a code frame, once per suite; the
    // line is all there is to say.
    process.stderr.write(`${noDockerEngineMessage(problem)}\n`);
    process.exit(1);
  }
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

/** The one line each integration suite prints when no engine answers: what is wrong, and the fix. */
export function noDockerEngineMessage(reason: string): string {
  return `integration tests need a Docker engine (${reason}): start one with \`bash tools/ci/start-docker.sh\` (or install docker.io)`;
}

/** Why no engine answers (the CLI's own last line, e.g. "Cannot connect to the Docker daemon at …"), or undefined. */
export async function dockerEngineProblem(): Promise<string | undefined> {
  try {
    await run('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: 15_000 });
    return undefined;
  } catch (error) {
    const failed = error as NodeJS.ErrnoException & { stderr?: string; killed?: boolean };
    if (failed.code === 'ENOENT') return 'the docker CLI is not installed';
    if (failed.killed) return 'the engine did not answer `docker version` within 15 s';
    const lines = (failed.stderr ?? '').split('\n').map((line) => line.trim());
    return lines.filter(Boolean).at(-1) ?? 'docker version failed';
  }
}

async function pull(image: string): Promise<boolean> {
  try {
    await docker('pull', '-q', image);
    return true;
  } catch {
    return false;
  }
}
