import { existsSync, readdirSync } from 'node:fs';
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

const DEBIAN_POSTGRES = '/usr/lib/postgresql';

/** Debian's newest PostgreSQL server (its `bin` directory with `initdb` and `postgres`), or null. */
export function findPostgresBin(root = DEBIAN_POSTGRES): string | null {
  let versions: string[];
  try {
    versions = readdirSync(root).filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  for (const version of versions.sort((a, b) => Number(b) - Number(a))) {
    const bin = join(root, version, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'postgres'))) return bin;
  }
  return null;
}

/** The external binaries the bench can use; each is optional (its scenario or generator is skipped). */
export interface Tools {
  wrk: string | null;
  nginx: string | null;
  redis: string | null;
  /** The directory of PostgreSQL's server binaries (initdb, postgres): Debian keeps them off PATH. */
  postgres: string | null;
}

export function findTools(): Tools {
  return {
    wrk: findBinary('wrk', ['/usr/bin/wrk']),
    nginx: findBinary('nginx', ['/usr/sbin/nginx']),
    redis: findBinary('redis-server', ['/usr/bin/redis-server']),
    postgres: findPostgresBin(),
  };
}
