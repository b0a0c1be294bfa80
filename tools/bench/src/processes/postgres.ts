import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '@routemcp/testing/free-port';
import { findBinary } from '../workspace.ts';
import type { ManagedProcess, ProcessGroup } from '@routemcp/process-group';

const SERVER_USER = 'postgres';
const ROLE = 'bench';
const DATABASE = 'keystore';

export function postgresVersion(bin: string): string | null {
  try {
    return (
      /\(PostgreSQL\) (\S+)/.exec(execFileSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' }))?.[1] ?? null
    );
  } catch {
    return null;
  }
}

/**
 * Who runs the server. PostgreSQL refuses to run as root, so as root the
 * bench runs it as the `postgres` system user: `initdb` through Node's own
 * uid/gid switch, the server through `setpriv`, which execs it (no
 * intermediate process), so the PID the process group stops is the
 * postmaster's own. As anyone else, the bench runs it as itself.
 */
export interface PostgresRunner {
  uid: number;
  gid: number;
  /** The command line that starts `command args` as that user. */
  wrap: (command: string, args: readonly string[]) => { command: string; args: string[] };
}

/** The runner for this process, or why PostgreSQL cannot be started here. */
export function postgresRunner(): PostgresRunner | string {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  if (uid !== 0) return { uid, gid, wrap: (command, args) => ({ command, args: [...args] }) };
  const setpriv = findBinary('setpriv', ['/usr/bin/setpriv']);
  if (setpriv === null) return 'running as root and setpriv (util-linux) is not installed';
  let ids: [number, number];
  try {
    ids = [
      Number(execFileSync('id', ['-u', SERVER_USER], { encoding: 'utf8' })),
      Number(execFileSync('id', ['-g', SERVER_USER], { encoding: 'utf8' })),
    ];
  } catch {
    return `running as root and there is no "${SERVER_USER}" system user to run the server as`;
  }
  const [userId, groupId] = ids;
  return {
    uid: userId,
    gid: groupId,
    wrap: (command, args) => ({
      command: setpriv,
      args: ['--reuid', String(userId), '--regid', String(groupId), '--clear-groups', '--', command, ...args],
    }),
  };
}

export interface RunningPostgres {
  /** `postgres://bench:<password>@127.0.0.1:<port>/keystore`: carries the password, never print it. */
  url: string;
  port: number;
  version: string | null;
  process: ManagedProcess;
}

const READY_TIMEOUT_MS = 20_000;

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A throwaway PostgreSQL cluster on a free loopback port: a data directory
 * in a temp dir the server's user owns (`removeAtEnd` is handed that dir, to
 * delete once every process is stopped), password auth (scram) for TCP
 * only, its socket in that dir, and a `keystore` database. Durability stays
 * at PostgreSQL's defaults (fsync on), as the SQLite keystore keeps its
 * `synchronous = FULL`: the two back ends are compared as they ship.
 */
export async function startPostgres(
  group: ProcessGroup,
  options: { bin: string; runner: PostgresRunner; removeAtEnd: (path: string) => void },
): Promise<RunningPostgres> {
  const { bin, runner } = options;
  const dir = mkdtempSync(join(tmpdir(), 'routemcp-bench-pg-'));
  options.removeAtEnd(dir);
  chownSync(dir, runner.uid, runner.gid);
  const password = randomBytes(18).toString('base64url');
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  chownSync(pwfile, runner.uid, runner.gid);
  const data = join(dir, 'data');
  try {
    execFileSync(
      join(bin, 'initdb'),
      ['-D', data, '-U', ROLE, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C'],
      {
        cwd: dir,
        // Only when switching: a process that is not root may not set ids, not even its own.
        ...(runner.uid === process.getuid?.() ? {} : { uid: runner.uid, gid: runner.gid }),
        env: { PATH: process.env.PATH ?? '' },
        stdio: 'pipe',
      },
    );
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim() ?? '';
    throw new Error(`initdb failed: ${stderr || (error as Error).message}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
  const port = await freePort();
  const started = runner.wrap(join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${dir}`,
    '-c',
    'log_min_messages=warning',
  ]);
  const server = group.start('postgres', started.command, started.args, { cwd: dir });
  const adminUrl = `postgres://${ROLE}:${password}@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await answers(adminUrl))) {
    if (server.exited()) throw new Error(`postgres exited while starting:\n${server.output()}`);
    if (Date.now() > deadline) throw new Error(`postgres did not answer on ${port}:\n${server.output()}`);
    await new Promise((done) => setTimeout(done, 100));
  }
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://${ROLE}:${password}@127.0.0.1:${port}/${DATABASE}`,
    port,
    version: postgresVersion(bin),
    process: server,
  };
}
