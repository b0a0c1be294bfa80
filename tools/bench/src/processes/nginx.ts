import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../free-port.ts';
import { waitForHttp } from '../wait-for-http.ts';
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
  const nginxDir = join(dir, 'nginx');
  mkdirSync(nginxDir, { recursive: true });
  const port = await freePort();
  const config = join(nginxDir, 'nginx.conf');
  writeFileSync(config, renderNginxConfig({ dir: nginxDir, port, upstreamPort }));
  // -p and -e keep nginx away from /var/log and /etc, so it runs unprivileged too.
  const process = group.start('nginx', binary, ['-p', nginxDir, '-e', join(nginxDir, 'error.log'), '-c', config]);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(process, `${url}/healthz`, 10_000);
  return { url, process };
}
