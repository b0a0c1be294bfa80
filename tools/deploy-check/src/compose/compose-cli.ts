import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** How to call compose on this machine: the v2 plugin (`docker compose`) or the v1 binary (`docker-compose`). */
export interface ComposeCli {
  command: string;
  /** Arguments before compose's own (`compose` for the plugin). */
  prefix: string[];
  /** e.g. `docker compose 2.29.1` or `docker-compose 1.29.2`, for test names and messages. */
  label: string;
}

async function version(command: string, prefix: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run(command, [...prefix, 'version', '--short'], { timeout: 20_000 });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/** v2 where it is installed, else Debian's docker-compose 1.29: the same file must work with both. */
export async function findComposeCli(): Promise<ComposeCli> {
  const v2 = await version('docker', ['compose']);
  if (v2 !== undefined) return { command: 'docker', prefix: ['compose'], label: `docker compose ${v2}` };
  const v1 = await version('docker-compose', []);
  if (v1 !== undefined) return { command: 'docker-compose', prefix: [], label: `docker-compose ${v1}` };
  throw new Error(
    'neither `docker compose` (v2) nor `docker-compose` is installed: install the compose plugin or `apt-get install docker-compose`',
  );
}
