import type { IncomingHttpHeaders } from 'node:http';

/**
 * Never copied back: hop-by-hop headers, Transfer-Encoding (Node frames our
 * response itself), Connection (ours to decide) and X-Request-Id (ours).
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
/** Set by this proxy once it limited the request; the upstream's copies would contradict ours. */
const RATE_LIMIT = new Set(['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'ratelimit-policy']);
/** What a Connection header may not nominate away. */
const FRAMING = new Set(['content-length', 'transfer-encoding']);

/** Header names the upstream's `Connection` nominates as hop-by-hop, or null (the usual case). */
function nominated(connection: string | string[] | undefined): Set<string> | null {
  if (typeof connection !== 'string') return null;
  // Nearly every upstream says just this: nothing nominated, nothing to split.
  if (connection === 'keep-alive' || connection === 'close') return null;
  const names = new Set<string>();
  for (const token of connection.split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '' && !FRAMING.has(name)) names.add(name);
  }
  return names;
}

/**
 * The client's response head as one flat `[name, value, …]` list for
 * `writeHead`: the upstream's headers minus hop-by-hop ones, then ours
 * (`own`: request id, RateLimit-*), then Connection. The client connection's
 * persistence is ours to decide: the upstream's `Connection` is about the
 * upstream socket.
 */
export function responseHead(
  upstream: IncomingHttpHeaders,
  own: readonly string[],
  ownRateLimit: boolean,
  keepAlive: boolean,
): string[] {
  const hop = nominated(upstream.connection);
  const flat: string[] = [];
  for (const name in upstream) {
    if (DROPPED.has(name) || (ownRateLimit && RATE_LIMIT.has(name)) || (hop !== null && hop.has(name))) continue;
    const value = upstream[name];
    if (value === undefined) continue;
    if (typeof value === 'string') flat.push(name, value);
    else for (const one of value) flat.push(name, one);
  }
  for (let i = 0; i < own.length; i++) flat.push(own[i]!);
  flat.push('connection', keepAlive ? 'keep-alive' : 'close');
  return flat;
}
