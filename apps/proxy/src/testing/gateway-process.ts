import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The ports the documented configs name, which a test replaces with its own. */
export const DOC_PORTS = { listen: '8080', authz: '127.0.0.1:5004', upstream: '127.0.0.1:5002' } as const;

export interface GatewayProcess {
  url: string;
  /** What the gateway wrote to stderr/stdout so far (for a failing test's message). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * The documented config with only its addresses replaced: the gateway runs
 * the file the docs show. Replaces every occurrence, and fails if one of the
 * documented addresses is missing (the docs changed shape).
 */
export async function documentedConfig(
  path: string,
  ports: { listen: number; authz: number; upstream: number },
): Promise<string> {
  const text = await readFile(path, 'utf8');
  for (const value of Object.values(DOC_PORTS))
    if (!text.includes(value)) throw new Error(`${path} no longer names ${value}`);
  return (
    text
      .replaceAll(DOC_PORTS.authz, `127.0.0.1:${ports.authz}`)
      .replaceAll(DOC_PORTS.upstream, `127.0.0.1:${ports.upstream}`)
      // Caddy's site address (plain HTTP on loopback), nginx's listen.
      .replaceAll(`:${DOC_PORTS.listen} {`, `http://127.0.0.1:${ports.listen} {`)
      .replaceAll(`listen ${DOC_PORTS.listen};`, `listen 127.0.0.1:${ports.listen};`)
  );
}

/**
 * Starts nginx (Debian's binary, one process, no daemon) or Caddy with a
 * site config, and resolves once it accepts connections on `port`. A
 * missing binary rejects: the test fails, it does not skip.
 */
export async function startGateway(kind: 'nginx' | 'caddy', site: string, port: number): Promise<GatewayProcess> {
  const dir = await mkdtemp(join(tmpdir(), `routemcp-${kind}-`));
  let child: ChildProcess;
  if (kind === 'nginx') {
    await writeFile(join(dir, 'site.conf'), site);
    await writeFile(
      join(dir, 'nginx.conf'),
      [
        'daemon off;',
        'master_process off;',
        `pid ${dir}/nginx.pid;`,
        `error_log ${dir}/error.log warn;`,
        'events { worker_connections 256; }',
        'http {',
        '  access_log off;',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t};`),
        `  include ${dir}/site.conf;`,
        '}',
        '',
      ].join('\n'),
    );
    child = spawn('/usr/sbin/nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'pipe' });
  } else {
    await writeFile(join(dir, 'Caddyfile'), `{\n\tadmin off\n}\n\n${site}`);
    child = spawn('/usr/bin/caddy', ['run', '--adapter', 'caddyfile', '--config', join(dir, 'Caddyfile')], {
      stdio: 'pipe',
      env: { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
    });
  }
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${kind} exited (${code}) before listening:\n${output}`)));
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([waitForPort(port), failed]);
  } catch (err) {
    await stop();
    throw err;
  }
  failed.catch(() => undefined);
  return { url: `http://127.0.0.1:${port}`, output: () => output, stop };
}

/** Connects until the port accepts: at most 200 attempts, each one awaited (no fixed sleep between). */
async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => setTimeout(() => resolve(false), 25));
    });
    if (open) return;
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}
