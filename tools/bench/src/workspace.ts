import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export const workspaceRoot = resolve(import.meta.dirname, '../../..');

/** An executable by absolute path or on PATH, or null when it is not installed. */
export function findBinary(name: string, candidates: readonly string[] = []): string | null {
  for (const candidate of candidates) if (existsSync(candidate)) return candidate;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** The external binaries the bench can use; each is optional (its scenario or generator is skipped). */
export function findTools(): { wrk: string | null; nginx: string | null; redis: string | null } {
  return {
    wrk: findBinary('wrk', ['/usr/bin/wrk']),
    nginx: findBinary('nginx', ['/usr/sbin/nginx']),
    redis: findBinary('redis-server', ['/usr/bin/redis-server']),
  };
}
