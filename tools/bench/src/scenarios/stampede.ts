import { connect, type Socket } from 'node:net';
import type { BenchContext } from '../context.ts';
import { sleep } from '../context.ts';
import type { KeystoreAdmin } from '../keys/keystore-admin.ts';
import { sumMetric } from '../prometheus.ts';
import type { RunningProxy } from '../processes/apps.ts';
import { KEYSTORE_LOOKUPS_METRIC, readMetrics } from './metrics.ts';

export interface StampedeResult {
  requests: number;
  statuses: Record<string, number>;
  /** Keystore lookups the proxy made for the whole burst; null when the metric is not exported. */
  keystoreLookups: number | null;
}

const TIMEOUT_MS = 15_000;

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends one request on an open socket; resolves with the status code from the response's first line. */
function request(socket: Socket, head: string): Promise<number> {
  return new Promise((resolve) => {
    let received = '';
    const timer = setTimeout(() => socket.destroy(), TIMEOUT_MS);
    socket.on('data', (data: Buffer) => (received += data.toString('latin1')));
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0));
    });
    socket.once('error', () => undefined);
    socket.write(head);
  });
}

/**
 * Opens every connection first, then writes all requests at once, so the
 * proxy sees N truly concurrent first requests for one uncached key (an
 * http.Agent would stagger them behind connection setup).
 */
export async function runStampede(
  ctx: BenchContext,
  admin: KeystoreAdmin,
  proxy: RunningProxy,
): Promise<StampedeResult> {
  const issued = await admin.createKey();
  await sleep(300); // the key's "created" event reaches the proxy before the burst
  const port = Number(new URL(proxy.url).port);
  const sockets = await Promise.all(Array.from({ length: ctx.options.stampedeRequests }, () => open(port)));
  const head =
    `GET ${ctx.path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
    `Authorization: Bearer ${issued.key}\r\nConnection: close\r\n\r\n`;
  const before = sumMetric(await readMetrics(proxy), KEYSTORE_LOOKUPS_METRIC);
  const codes = await Promise.all(sockets.map((socket) => request(socket, head)));
  const lookups = sumMetric(await readMetrics(proxy), KEYSTORE_LOOKUPS_METRIC) - before;
  const statuses: Record<string, number> = {};
  for (const code of codes) statuses[code] = (statuses[code] ?? 0) + 1;
  return { requests: codes.length, statuses, keystoreLookups: Number.isFinite(lookups) ? lookups : null };
}
