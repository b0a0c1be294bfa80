import type { IncomingMessage } from 'node:http';
import type { ProxyMetrics } from './metrics.ts';
import type { ProxyResponse } from './proxy-response.ts';

/** Hop-by-hop on the way back too; Transfer-Encoding is http-proxy-3's and Node's business. */
const HOP_BY_HOP = ['keep-alive', 'proxy-authenticate', 'proxy-connection', 'te', 'trailer', 'upgrade'];
/** Set by this proxy; the upstream's copies would contradict ours. */
const OURS = ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'];
/** What a Connection header may not nominate away. */
const FRAMING = new Set(['content-length', 'transfer-encoding']);

/**
 * Runs when the upstream's response head arrives, before http-proxy-3 copies
 * it. The client connection's persistence is ours to decide: the upstream's
 * `Connection` is about the upstream socket, and http-proxy-3 would otherwise
 * copy the client's request `Connection` (or a default keep-alive) back.
 */
export function respondToUpstream(
  upstream: IncomingMessage,
  req: IncomingMessage,
  res: ProxyResponse,
  metrics: ProxyMetrics,
  draining: boolean,
): void {
  metrics.upstream((performance.now() - res.forwardedAt) / 1000);
  const headers = upstream.headers;
  const connection = headers.connection;
  if (connection !== undefined) {
    for (const token of connection.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '' && !FRAMING.has(name) && headers[name] !== undefined) delete headers[name];
    }
  }
  for (const name of HOP_BY_HOP) if (headers[name] !== undefined) delete headers[name];
  if (res.rateLimited) for (const name of OURS) if (headers[name] !== undefined) delete headers[name];
  if (headers['x-request-id'] !== undefined) delete headers['x-request-id'];
  const persistence = res.shouldKeepAlive && !draining ? 'keep-alive' : 'close';
  headers.connection = persistence;
  // http-proxy-3 copies this for HTTP/1.0 clients; the request is already on its way, so it is free to reuse.
  req.headers.connection = persistence;
}
