import { resolve } from 'node:path';
import { freePort } from '../free-port.ts';
import type { RunningApp, RunningKeystore } from '../processes/apps.ts';
import type { ProcessGroup } from '@routemcp/process-group';
import { waitForHttp } from '../wait-for-http.ts';
import { workspaceRoot } from '../workspace.ts';

export async function startNaiveGateway(
  group: ProcessGroup,
  options: { upstreamUrl: string; keystore: RunningKeystore; redisUrl: string },
): Promise<RunningApp> {
  const port = await freePort();
  const gateway = group.start(
    'naive-gateway',
    process.execPath,
    [resolve(import.meta.dirname, 'naive-gateway-main.ts')],
    {
      cwd: workspaceRoot,
      env: {
        NODE_ENV: 'production',
        NAIVE_PORT: String(port),
        UPSTREAM_URL: options.upstreamUrl,
        KEYSTORE_URL: options.keystore.url,
        KEYSTORE_SERVICE_TOKEN: options.keystore.serviceToken,
        REDIS_URL: options.redisUrl,
      },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(gateway, `${url}/healthz`);
  return { url, process: gateway };
}
