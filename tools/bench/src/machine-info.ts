import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, freemem, loadavg, release, totalmem, type } from 'node:os';
import { nginxVersion } from './processes/nginx.ts';
import { postgresVersion } from './processes/postgres.ts';
import { redisVersion } from './processes/redis-server.ts';
import { workspaceRoot, type Tools } from './workspace.ts';

export interface MachineInfo {
  os: string;
  cpuModel: string;
  cpus: number;
  totalMemoryMb: number;
  freeMemoryMb: number;
  loadAverage: number[];
  node: string;
  nginx: string | null;
  redis: string | null;
  wrk: string | null;
  postgres: string | null;
  gitCommit: string | null;
  /** Uncommitted changes under apps/ or libs/: the figures may not match the commit. */
  gitDirty: boolean | null;
}

function git(args: readonly string[]): string | null {
  try {
    return execFileSync('git', args, {
      cwd: workspaceRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

function wrkVersion(binary: string | null): string | null {
  if (binary === null) return null;
  // `wrk --version` prints its banner on stdout and exits 1.
  const { stdout } = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return /wrk (\S+)/.exec(stdout ?? '')?.[1] ?? null;
}

export function machineInfo(tools: Tools): MachineInfo {
  const cpuList = cpus();
  const status = git(['status', '--porcelain', '--', 'apps', 'libs']);
  return {
    os: `${type()} ${release()}`,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    cpus: cpuList.length,
    totalMemoryMb: Math.round(totalmem() / 1024 / 1024),
    freeMemoryMb: Math.round(freemem() / 1024 / 1024),
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
    node: process.version,
    nginx: tools.nginx ? nginxVersion(tools.nginx) : null,
    redis: tools.redis ? redisVersion(tools.redis) : null,
    wrk: wrkVersion(tools.wrk),
    postgres: tools.postgres ? postgresVersion(tools.postgres) : null,
    gitCommit: git(['rev-parse', 'HEAD']),
    gitDirty: status === null ? null : status !== '',
  };
}
