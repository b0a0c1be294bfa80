import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from '@routemcp/testing/free-port';
import { waitForHttp } from '../wait-for-http.ts';
import { workspaceRoot } from '../workspace.ts';
import type { ManagedProcess, ProcessGroup } from '@routemcp/process-group';

export interface NginxConfigInput {
  dir: string;
  port: number;
  upstreamPort: number;
}

/**
 * A plain reverse proxy, tuned the way an operator would for this job:
 * one worker (the Node proxy gets one core too), keep-alive to the upstream,
 * no access log, buffers large enough that no response touches disk.
 */
export function renderNginxConfig({ dir, port, upstreamPort }: NginxConfigInput): string {
  return `${nginxGlobals(dir)}
  upstream api {
    server 127.0.0.1:${upstreamPort};
    keepalive 64;
  }

  server {
    listen 127.0.0.1:${port};
    keepalive_requests 1000000;

    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffer_size 16k;
      proxy_buffers 16 16k;
      proxy_max_temp_file_size 0;
    }
  }
}
`;
}

/** One worker, no access log, every path in `dir`: the head of both configs, up to the open `http {`. */
function nginxGlobals(dir: string): string {
  return `worker_processes 1;
daemon off;
master_process on;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;

events {
  worker_connections 4096;
}

http {
  access_log off;
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
`;
}

/** The docs' forward-auth config (`server {}` for the `http {}` context), as an operator copies it. */
export const DOCS_AUTH_CONFIG = resolve(workspaceRoot, 'docs/forward-auth/nginx.conf');

export interface NginxAuthConfigInput extends NginxConfigInput {
  /** The text of docs/forward-auth/nginx.conf. */
  docsConfig: string;
  authzPort: number;
}

/**
 * nginx + `auth_request` (issue 21's nginx-authz and nginx-allow): the docs' config as it is,
 * with only its three addresses replaced (listen 8080, the authz on 5004,
 * the service on 5002), inside the same globals as (nginx). A docs config whose
 * addresses moved fails here rather than measure something else.
 */
export function renderNginxAuthConfig({
  dir,
  port,
  upstreamPort,
  authzPort,
  docsConfig,
}: NginxAuthConfigInput): string {
  const swaps: [string, string][] = [
    ['listen 8080;', `listen 127.0.0.1:${port};`],
    ['server 127.0.0.1:5004;', `server 127.0.0.1:${authzPort};`],
    ['proxy_pass http://127.0.0.1:5002;', `proxy_pass http://127.0.0.1:${upstreamPort};`],
  ];
  let server = docsConfig;
  for (const [from, to] of swaps) {
    if (server.split(from).length !== 2)
      throw new Error(`docs/forward-auth/nginx.conf: expected "${from}" exactly once`);
    server = server.replace(from, to);
  }
  return `${nginxGlobals(dir)}\n${server}}\n`;
}

export function nginxVersion(binary: string): string | null {
  // nginx prints its version on stderr.
  const { stderr } = spawnSync(binary, ['-v'], { encoding: 'utf8' });
  return /nginx\/(\S+)/.exec(stderr ?? '')?.[1] ?? null;
}

export interface RunningNginx {
  url: string;
  process: ManagedProcess;
}

export async function startNginx(
  group: ProcessGroup,
  binary: string,
  dir: string,
  upstreamPort: number,
): Promise<RunningNginx> {
  return launchNginx(group, binary, join(dir, 'nginx'), 'nginx', (nginxDir, port) =>
    renderNginxConfig({ dir: nginxDir, port, upstreamPort }),
  );
}

/** nginx with the docs' `auth_request` config in front of the api, asking the authz at `authzPort`. */
export async function startNginxAuth(
  group: ProcessGroup,
  options: {
    binary: string;
    dir: string;
    name: string;
    upstreamPort: number;
    authzPort: number;
    authorization: string;
  },
): Promise<RunningNginx> {
  const docsConfig = readFileSync(DOCS_AUTH_CONFIG, 'utf8');
  return launchNginx(
    group,
    options.binary,
    join(options.dir, options.name),
    options.name,
    (nginxDir, port) =>
      renderNginxAuthConfig({
        dir: nginxDir,
        port,
        upstreamPort: options.upstreamPort,
        authzPort: options.authzPort,
        docsConfig,
      }),
    // Every path asks the authz first: ready once a keyed request gets through.
    { authorization: options.authorization },
  );
}

async function launchNginx(
  group: ProcessGroup,
  binary: string,
  nginxDir: string,
  name: string,
  render: (nginxDir: string, port: number) => string,
  readyHeaders: Record<string, string> = {},
): Promise<RunningNginx> {
  mkdirSync(nginxDir, { recursive: true });
  const port = await freePort();
  const config = join(nginxDir, 'nginx.conf');
  writeFileSync(config, render(nginxDir, port));
  // -p and -e keep nginx away from /var/log and /etc, so it runs unprivileged too.
  const process = group.start(name, binary, ['-p', nginxDir, '-e', join(nginxDir, 'error.log'), '-c', config]);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(process, `${url}/healthz`, 10_000, readyHeaders);
  return { url, process };
}
