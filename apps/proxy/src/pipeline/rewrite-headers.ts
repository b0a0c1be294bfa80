import type { IncomingHttpHeaders } from 'node:http';
import type { KeyRecord } from '../key-lookup/key-verifier.ts';

/** What the upstream may trust: set only by this proxy, after everything the client sent is filtered. */
export type Identity = Pick<KeyRecord, 'id' | 'accountId' | 'environment'>;

/** Never forwarded: credentials, hop-by-hop headers (RFC 9110 §7.6.1) and what this proxy sets itself. */
const DROPPED = new Set([
  'authorization',
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'upgrade',
  // 100-continue is answered here, after authentication; the upstream must not answer it again.
  'expect',
  'forwarded',
  'x-request-id',
  // Client-address claims that upstream stacks and CDNs trust (nginx's realip, Akamai, Cloudflare): this proxy
  // is the trust boundary, so the only address it reports is its own peer's, in X-Forwarded-For and X-Real-IP.
  'x-real-ip',
  'true-client-ip',
  'x-client-ip',
  'x-cluster-client-ip',
  'cf-connecting-ip',
  'fastly-client-ip',
]);

/**
 * A `Connection` header may nominate other headers as hop-by-hop, but not
 * these: dropping framing headers would desynchronise the body, and Node owns
 * Transfer-Encoding.
 */
const NOT_NOMINATABLE = new Set(['host', 'content-length', 'transfer-encoding']);

export interface RewriteInput {
  headers: IncomingHttpHeaders;
  socket: { remoteAddress?: string | undefined };
}

/**
 * Replaces `req.headers` by what the upstream receives. Names are compared
 * with `_` read as `-`, because many upstream stacks (CGI, WSGI, Rack)
 * merge `X_RouteMCP_Key_Id` into the same variable as `X-RouteMCP-Key-Id`.
 * Identity headers are added last, so nothing the client sent can remove or
 * shadow them.
 */
export function rewriteHeaders(
  req: RewriteInput,
  identity: Identity | null,
  requestId: string,
  websocket: boolean,
): void {
  const incoming = req.headers;
  const nominated = nominatedBy(incoming.connection);
  const out: IncomingHttpHeaders = {};
  for (const name in incoming) {
    const normal = name.includes('_') ? name.replaceAll('_', '-') : name;
    if (DROPPED.has(normal) || isReserved(normal)) continue;
    if (nominated !== null && nominated.has(normal) && !NOT_NOMINATABLE.has(normal)) continue;
    // `Content_Length` and friends could be read as framing by a lenient upstream.
    if (normal !== name && NOT_NOMINATABLE.has(normal)) continue;
    out[name] = incoming[name];
  }
  if (websocket) {
    out.connection = 'upgrade';
    out.upgrade = 'websocket';
  }
  const address = req.socket.remoteAddress;
  if (address !== undefined) {
    out['x-forwarded-for'] = address;
    out['x-real-ip'] = address;
  }
  out['x-forwarded-proto'] = 'http';
  if (incoming.host !== undefined) out['x-forwarded-host'] = incoming.host;
  out['x-request-id'] = requestId;
  if (identity !== null) {
    out['x-routemcp-key-id'] = identity.id;
    out['x-routemcp-account-id'] = identity.accountId;
    out['x-routemcp-environment'] = identity.environment;
  }
  req.headers = out;
}

/** Headers only this proxy may set: its identity namespace, proxy credentials and forwarding facts. */
function isReserved(name: string): boolean {
  return name.startsWith('x-routemcp-') || name.startsWith('proxy-') || name.startsWith('x-forwarded-');
}

function nominatedBy(connection: string | undefined): Set<string> | null {
  if (connection === undefined || connection === '') return null;
  const names = new Set<string>();
  for (const token of connection.split(',')) {
    const name = token.trim().toLowerCase().replaceAll('_', '-');
    if (name !== '') names.add(name);
  }
  return names;
}
