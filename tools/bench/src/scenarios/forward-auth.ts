import { startBaseline } from '../baselines/start-baseline.ts';
import type { BenchContext } from '../context.ts';
import { freePort } from '@routemcp/testing/free-port';
import type { ScenarioId } from '../options.ts';
import { processFamily } from '../proc.ts';
import type { RunningApp, RunningProxy } from '../processes/apps.ts';
import { startNginxAuth } from '../processes/nginx.ts';
import type { ThroughputTarget } from './throughput.ts';

/** A throughput scenario's server, the processes its CPU is read from, and how it is loaded when not as the rest. */
export interface Endpoint {
  app: RunningApp;
  pids: () => number[];
  load?: Pick<ThroughputTarget, 'path' | 'answers'>;
}

export interface ForwardAuthLaunch {
  wanted: (id: ScenarioId) => boolean;
  apiPort: number;
  /** `Bearer <hot key>`: the ready check of (nginx-authz) needs a request the authz lets through. */
  authorization: string | undefined;
  /** Starts a proxy serving only forward auth (`PROXY_PORT=off`) on `authzPort`. */
  launchAuthz: (authzPort: number) => Promise<RunningProxy>;
}

/**
 * Issue 21's four scenarios: (nginx-authz) nginx + `auth_request` to our authz and
 * (nginx-allow) the same nginx config to a Node server that allows everything, both
 * loaded through nginx onto the api; (authz) the authz alone, Envoy-style
 * `GET /authz/<path>` with the key, and (authz-floor) that allow-all server loaded
 * the same way. One allow-all process serves (nginx-allow) and (authz-floor), one authz process
 * serves (nginx-authz) and (authz). The CPU of (nginx-authz) and (nginx-allow) is nginx's plus its authz's:
 * what the gateway's check costs in all.
 */
export async function startForwardAuth(
  ctx: BenchContext,
  launch: ForwardAuthLaunch,
): Promise<{ endpoints: Partial<Record<'nginx-authz' | 'nginx-allow' | 'authz' | 'authz-floor', Endpoint>> }> {
  const { wanted } = launch;
  const endpoints: Partial<Record<'nginx-authz' | 'nginx-allow' | 'authz' | 'authz-floor', Endpoint>> = {};
  const emptyAllow: NonNullable<Endpoint['load']> = { path: `/authz${ctx.path}`, answers: 'empty-200' };
  const allow =
    wanted('nginx-allow') || wanted('authz-floor') ? await startBaseline(ctx.group, 'node-allow', 'allow', {}) : null;
  let authz: { app: RunningApp; port: number } | null = null;
  if ((wanted('nginx-authz') || wanted('authz')) && launch.authorization !== undefined) {
    const port = await freePort();
    const proxy = await launch.launchAuthz(port);
    authz = { app: { url: `http://127.0.0.1:${port}`, process: proxy.process }, port };
  }
  const nginxAuth = (name: string, authzPort: number) =>
    startNginxAuth(ctx.group, {
      binary: ctx.tools.nginx ?? 'nginx',
      dir: ctx.dir,
      name,
      upstreamPort: launch.apiPort,
      authzPort,
      authorization: launch.authorization ?? '',
    });
  if (wanted('nginx-allow') && allow) {
    const nginx = await nginxAuth('nginx-auth-allow', Number(new URL(allow.url).port));
    endpoints['nginx-allow'] = { app: nginx, pids: () => [...processFamily(nginx.process.pid), allow.process.pid] };
  }
  if (wanted('nginx-authz') && authz) {
    const { app, port } = authz;
    const nginx = await nginxAuth('nginx-auth-authz', port);
    endpoints['nginx-authz'] = { app: nginx, pids: () => [...processFamily(nginx.process.pid), app.process.pid] };
  }
  if (wanted('authz-floor') && allow)
    endpoints['authz-floor'] = { app: allow, pids: () => [allow.process.pid], load: emptyAllow };
  if (wanted('authz') && authz) {
    const { app } = authz;
    endpoints['authz'] = { app, pids: () => [app.process.pid], load: emptyAllow };
  }
  return { endpoints };
}
