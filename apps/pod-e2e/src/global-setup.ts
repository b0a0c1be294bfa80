import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const workspaceRoot = resolve(import.meta.dirname, '../../..');
const IMAGE_VARIABLES = ['PROXY_IMAGE', 'KEYSTORE_IMAGE', 'API_IMAGE'] as const;

/**
 * The suite tests the images, so it builds them from the current sources
 * unless all three are given (CI may build once and pass them). The build is
 * layer-cached: an unchanged tree costs seconds.
 */
export async function setup(): Promise<void> {
  if (IMAGE_VARIABLES.every((name) => process.env[name])) return;
  const { stdout } = await run(resolve(workspaceRoot, 'tools/images/build-images.sh'), {
    timeout: 600_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  for (const [, name, value] of stdout.matchAll(/^export (\w+)=(\S+)$/gm)) process.env[name!] ??= value;
}
