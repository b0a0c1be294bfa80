import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from '@routemcp/testing/free-port';
import type { ManagedProcess, ProcessGroup } from '@routemcp/process-group';

export interface RunningRedis {
  url: string;
  process: ManagedProcess;
}

export function redisVersion(binary: string): string | null {
  try {
    return /v=(\S+)/.exec(execFileSync(binary, ['--version'], { encoding: 'utf8' }))?.[1] ?? null;
  } catch {
    return null;
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/**
 * The host's redis-server on a free loopback port, with persistence off so
 * disk I/O never shows up in the figures. Steadier than a container here.
 */
export async function startRedis(group: ProcessGroup, binary: string, dir: string): Promise<RunningRedis> {
  const port = await freePort();
  const process = group.start('redis', binary, [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--protected-mode',
    'yes',
  ]);
  for (let attempt = 0; attempt < 100; attempt++) {
    if (process.exited()) throw new Error(`redis-server exited:\n${process.output()}`);
    if (await ping(port)) return { url: `redis://127.0.0.1:${port}`, process };
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`redis-server did not answer PING on ${port}:\n${process.output()}`);
}
