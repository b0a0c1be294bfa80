import type { KeyRecord } from '../key-lookup/index.ts';
import type { RequestHead } from './request-head.ts';

/** What the upstream may trust: set only by this proxy, after everything the client sent is filtered. */
export type Identity = Pick<KeyRecord, 'id' | 'accountId' | 'environment'>;

/**
 * Never forwarded: credentials, hop-by-hop headers (RFC 9110 §7.6.1), what this proxy sets itself and what
 * would make the upstream serve another request than the one authorized.
 */
const DROPPED = new Set([
  'authorization',
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'upgrade',
  // Node decoded the client's chunked framing; the upstream client frames what it sends itself.
  'transfer-encoding',
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
  // Another method or route than the request line's, which the key's permissions were checked against: Express
  // method-override, Rack, Laravel and Symfony read the method ones, IIS URL Rewrite and Symfony the URL ones,
  // nginx auth_request and Traefik forward-auth set the X-Original-* ones. (X-Forwarded-Uri and
  // X-Forwarded-Method go with every X-Forwarded-* below.)
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
  'x-original-url',
  'x-rewrite-url',
  'x-original-uri',
  'x-original-method',
]);

/**
 * A `Connection` header may nominate other headers as hop-by-hop, but not
 * these: dropping the length would desynchronise the body.
 */
const NOT_NOMINATABLE = new Set(['host', 'content-length', 'transfer-encoding']);

export interface RewriteInput {
  /** The client's header list, in its own case and order. */
  rawHeaders: readonly string[];
  /** Read from `rawHeaders`, with `host` already the target's authority for an absolute-form request. */
  head: RequestHead;
  /** The client: the socket peer (or per TRUSTED_PROXIES), the only client address this proxy reports. */
  clientAddress: string | undefined;
}

/**
 * The header list the upstream receives, as a flat `[name, value, …]` array
 * (undici takes it as is). Names are compared lower-cased with `_` read as
 * `-`, because many upstream stacks (CGI, WSGI, Rack) merge
 * `X_RouteMCP_Key_Id` into the same variable as `X-RouteMCP-Key-Id`.
 * Identity headers are added last, so nothing the client sent can remove or
 * shadow them. The client's own spelling of every kept header is kept.
 */
export function upstreamHeaders(
  input: RewriteInput,
  identity: Identity | null,
  requestId: string,
  websocket: boolean,
  /** More of our own headers (the key's owner id and metadata), flat, appended last. */
  extra: readonly string[] = [],
): string[] {
  const { rawHeaders, head } = input;
  const nominated = nominatedBy(head.connection);
  const out: string[] = [];
  let sentHost = false;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const lower = name.toLowerCase();
    const normal = lower.includes('_') ? lower.replaceAll('_', '-') : lower;
    if (DROPPED.has(normal) || isReserved(normal)) continue;
    if (nominated !== null && nominated.has(normal) && !NOT_NOMINATABLE.has(normal)) continue;
    // `Content_Length` and friends could be read as framing by a lenient upstream.
    if (normal !== lower && NOT_NOMINATABLE.has(normal)) continue;
    if (lower === 'host') {
      if (sentHost || head.host === undefined) continue;
      sentHost = true;
      out.push(name, head.host);
      continue;
    }
    out.push(name, rawHeaders[i + 1]!);
  }
  // An absolute-form HTTP/1.0 request names its host only in the target.
  if (!sentHost && head.host !== undefined) out.push('host', head.host);
  if (websocket) out.push('connection', 'upgrade', 'upgrade', 'websocket');
  const address = input.clientAddress;
  if (address !== undefined) out.push('x-forwarded-for', address, 'x-real-ip', address);
  out.push('x-forwarded-proto', 'http');
  if (head.host !== undefined) out.push('x-forwarded-host', head.host);
  out.push('x-request-id', requestId);
  if (identity !== null) {
    out.push(
      'x-routemcp-key-id',
      identity.id,
      'x-routemcp-account-id',
      identity.accountId,
      'x-routemcp-environment',
      identity.environment,
    );
  }
  for (let i = 0; i < extra.length; i++) out.push(extra[i]!);
  return out;
}

/** Headers only this proxy may set: its identity namespace, proxy credentials and forwarding facts. */
function isReserved(name: string): boolean {
  return name.startsWith('x-routemcp-') || name.startsWith('proxy-') || name.startsWith('x-forwarded-');
}

function nominatedBy(connection: string | undefined): Set<string> | null {
  // Nearly every client sends no Connection or one of these: nothing nominated, nothing to split.
  if (connection === undefined || connection === '' || connection === 'keep-alive' || connection === 'close')
    return null;
  const names = new Set<string>();
  for (const token of connection.split(',')) {
    const name = token.trim().toLowerCase().replaceAll('_', '-');
    if (name !== '') names.add(name);
  }
  return names;
}
