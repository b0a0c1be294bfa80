import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs the docker CLI (for what testcontainers has no verb for: pause, image checks, clean-up). */
export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

export async function imageExists(image: string): Promise<boolean> {
  try {
    await docker('image', 'inspect', image);
    return true;
  } catch {
    return false;
  }
}
