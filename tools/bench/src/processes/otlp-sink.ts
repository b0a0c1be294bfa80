import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import type { ProcessGroup } from '@routemcp/process-group';
import { freePort } from '@routemcp/testing/free-port';
import { waitForHttp } from '../wait-for-http.ts';
import { workspaceRoot } from '../workspace.ts';
import type { RunningApp } from './apps.ts';

/** What the sink has received: OTLP export requests and their bytes (protobuf, as the proxy sends by default). */
export interface OtlpSinkCounts {
  exports: number;
  bytes: number;
}

/**
 * An OTLP/HTTP receiver that accepts every trace export and keeps nothing
 * but counts: the other end of (proxy-traced). `POST /v1/traces` answers an
 * empty ExportTraceServiceResponse (zero bytes of protobuf is the empty
 * message); `GET /counts` says what arrived, so the bench can show that the
 * traced proxy really exported; `GET /healthz` is for the start-up wait.
 */
export function createOtlpSink(): Server {
  const counts: OtlpSinkCounts = { exports: 0, bytes: 0 };
  return createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/v1/traces') {
      req.on('data', (chunk: Buffer) => void (counts.bytes += chunk.length));
      req.on('end', () => {
        counts.exports++;
        res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 }).end();
      });
      return;
    }
    if (req.method === 'GET' && (req.url === '/counts' || req.url === '/healthz')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counts));
      return;
    }
    res.writeHead(404, { 'content-length': 0 }).end();
  });
}

/** The sink in its own process on a free loopback port; `counts()` asks it what arrived. */
export async function startOtlpSink(
  group: ProcessGroup,
): Promise<RunningApp & { counts: () => Promise<OtlpSinkCounts> }> {
  const port = await freePort();
  const child = group.startNode('otlp-sink', resolve(import.meta.dirname, 'otlp-sink-main.ts'), {
    cwd: workspaceRoot,
    env: { NODE_ENV: 'production', BASELINE_PORT: String(port) },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(child, `${url}/healthz`);
  return {
    url,
    process: child,
    counts: async () => (await (await fetch(`${url}/counts`)).json()) as OtlpSinkCounts,
  };
}
