import { resolve } from 'node:path';
import type { ProcessGroup } from '@routemcp/process-group';
import { freePort } from '@routemcp/testing/free-port';
import type { RunningApp } from '../processes/apps.ts';
import { waitForHttp } from '../wait-for-http.ts';
import { workspaceRoot } from '../workspace.ts';

/** Each baseline's entry point, started as its own process on BASELINE_PORT. */
export const BASELINE_ENTRIES = {
  naive: 'naive-gateway-main.ts',
  fastify: 'fastify-gateway-main.ts',
  floor: 'node-floor-main.ts',
  allow: 'node-allow-main.ts',
} as const;

/**
 * A baseline in its own process (its CPU read from /proc like the proxy's),
 * ready once `/healthz` answers: the gateways answer it themselves, the
 * floors forward it to the api.
 */
export async function startBaseline(
  group: ProcessGroup,
  name: string,
  entry: keyof typeof BASELINE_ENTRIES,
  env: Record<string, string>,
): Promise<RunningApp> {
  const port = await freePort();
  const child = group.startNode(name, resolve(import.meta.dirname, BASELINE_ENTRIES[entry]), {
    cwd: workspaceRoot,
    env: { NODE_ENV: 'production', BASELINE_PORT: String(port), ...env },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(child, `${url}/healthz`);
  return { url, process: child };
}
