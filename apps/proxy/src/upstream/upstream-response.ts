import type { IncomingMessage } from 'node:http';
import type { ProxyMetrics } from '../observability/metrics.ts';
import type { ProxyResponse } from '../http/proxy-response.ts';
import type { UpstreamHead } from './upstream-dispatch.ts';

/**
 * Never copied back: hop-by-hop headers, Transfer-Encoding (Node frames our
 * response itself), Connection (ours to decide, set below) and X-Request-Id
 * (ours, already on the response).
 */
const DROPPED = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'x-request-id',
]);
/** Set by this proxy; the upstream's copies would contradict ours. */
const OURS = new Set(['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset']);
/** What a Connection header may not nominate away. */
const FRAMING = new Set(['content-length', 'transfer-encoding']);

/** Header names the upstream's `Connection` nominates as hop-by-hop, or null (the usual case). */
function nominated(connection: string | undefined): Set<string> | null {
  // Nearly every upstream says just this: nothing nominated, nothing to split.
  if (connection === undefined || connection === 'keep-alive' || connection === 'close') return null;
  const names = new Set<string>();
  for (const token of connection.split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '' && !FRAMING.has(name)) names.add(name);
  }
  return names;
}

/**
 * Writes the response head when the upstream's head arrives (http-proxy-3
 * runs with `selfHandleResponse`). One flat header array to writeHead skips
 * a setHeader call, and its validation, per upstream header. The client
 * connection's persistence is ours to decide: the upstream's `Connection` is
 * about the upstream socket.
 */
export function respondToUpstream(
  upstream: UpstreamHead,
  _req: IncomingMessage,
  res: ProxyResponse,
  metrics: ProxyMetrics,
  draining: boolean,
): void {
  metrics.upstream((performance.now() - res.forwardedAt) / 1000);
  // Someone answered already (an error raced the upstream): the head is gone, only the body may follow.
  if (res.headersSent) return;
  const headers = upstream.headers;
  const hop = nominated(headers.connection);
  const flat: string[] = [];
  for (const name in headers) {
    if (DROPPED.has(name) || (res.rateLimited && OURS.has(name)) || hop?.has(name) === true) continue;
    const value = headers[name];
    if (value === undefined) continue;
    if (typeof value === 'string') flat.push(name, value);
    else for (const one of value) flat.push(name, one);
  }
  flat.push('connection', res.shouldKeepAlive && !draining ? 'keep-alive' : 'close');
  res.writeHead(upstream.statusCode ?? 502, upstream.statusMessage, flat);
}
