import { startBaseline } from '../baselines/start-baseline.ts';
import type { BenchContext } from '../context.ts';
import { freePort } from '../free-port.ts';
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
  /** `Bearer <hot key>`: the ready check of (q) needs a request the authz lets through. */
  authorization: string | undefined;
  /** Starts a proxy serving only forward auth (`PROXY_PORT=off`) on `authzPort`. */
  launchAuthz: (authzPort: number) => Promise<RunningProxy>;
}

/**
 * Issue 21's four scenarios: (q) nginx + `auth_request` to our authz and
 * (r) the same nginx config to a Node server that allows everything, both
 * loaded through nginx onto the api; (s) the authz alone, Envoy-style
 * `GET /authz/<path>` with the key, and (t) that allow-all server loaded
 * the same way. One allow-all process serves (r) and (t), one authz process
 * serves (q) and (s). The CPU of (q) and (r) is nginx's plus its authz's:
 * what the gateway's check costs in all.
 */
export async function startForwardAuth(
  ctx: BenchContext,
  launch: ForwardAuthLaunch,
): Promise<{ endpoints: Partial<Record<'q' | 'r' | 's' | 't', Endpoint>> }> {
  const { wanted } = launch;
  const endpoints: Partial<Record<'q' | 'r' | 's' | 't', Endpoint>> = {};
  const emptyAllow: NonNullable<Endpoint['load']> = { path: `/authz${ctx.path}`, answers: 'empty-200' };
  const allow = wanted('r') || wanted('t') ? await startBaseline(ctx.group, 'node-allow', 'allow', {}) : null;
  let authz: { app: RunningApp; port: number } | null = null;
  if ((wanted('q') || wanted('s')) && launch.authorization !== undefined) {
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
  if (wanted('r') && allow) {
    const nginx = await nginxAuth('nginx-auth-allow', Number(new URL(allow.url).port));
    endpoints.r = { app: nginx, pids: () => [...processFamily(nginx.process.pid), allow.process.pid] };
  }
  if (wanted('q') && authz) {
    const { app, port } = authz;
    const nginx = await nginxAuth('nginx-auth-authz', port);
    endpoints.q = { app: nginx, pids: () => [...processFamily(nginx.process.pid), app.process.pid] };
  }
  if (wanted('t') && allow) endpoints.t = { app: allow, pids: () => [allow.process.pid], load: emptyAllow };
  if (wanted('s') && authz) {
    const { app } = authz;
    endpoints.s = { app, pids: () => [app.process.pid], load: emptyAllow };
  }
  return { endpoints };
}
