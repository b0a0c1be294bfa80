import type { KeyRecord } from '../key-lookup/index.ts';
import {
  BAD_PATH,
  isCanonical,
  type Authorized,
  type PipelineRequest,
  type Refused,
  type RequestHead,
} from '../pipeline/index.ts';

/**
 * The gateway-neutral half of forward auth (HTTP `/authz` and Envoy's gRPC
 * `Check` alike): the original request as the gateway names it becomes a
 * PipelineRequest for the one Authorizer, and an allowed answer becomes the
 * identity headers the gateway passes upstream.
 */

/** The original request, as the gateway reports it. */
export interface ForwardedRequest {
  readonly method: string;
  /** Origin-form target (`/path?query`) as the gateway will forward it. */
  readonly target: string;
  /**
   * The original request's header block, read as the pipeline reads one
   * (`readHead`): Authorization, Host, the framing fields. `forwardedFor` is
   * the X-Forwarded-For the gateway sent, read per TRUSTED_PROXIES.
   */
  readonly head: RequestHead;
  /** The client, per TRUSTED_PROXIES (ClientAddresses.of(gateway peer, X-Forwarded-For)). */
  readonly clientAddress: string | undefined;
  /** The gateway hung up: nobody is waiting for the decision. */
  gone(): boolean;
}

/**
 * A PipelineRequest over a gateway's report. The version is HTTP/1.1 by
 * construction: the gateway parsed the client's framing, and what reaches
 * the Authorizer is a method, a target and headers; with no Host (gRPC may
 * carry none) it is read as HTTP/1.0, which the framing step allows.
 */
export class ForwardRequest implements PipelineRequest {
  readonly method: string;
  url: string;
  readonly httpVersionMajor = 1;
  readonly httpVersionMinor: number;
  readonly head: RequestHead;
  readonly clientAddress: string | undefined;
  readonly #gone: () => boolean;

  constructor(request: ForwardedRequest) {
    this.method = request.method;
    this.url = request.target;
    this.head = request.head;
    this.httpVersionMinor = request.head.hosts === 0 ? 0 : 1;
    this.clientAddress = request.clientAddress;
    this.#gone = () => request.gone();
  }

  gone(): boolean {
    return this.#gone();
  }
}

const NOT_CANONICAL: Refused = Object.freeze({
  kind: 'refused',
  code: 'BAD_REQUEST',
  outcome: BAD_PATH,
  key: null,
  headers: Object.freeze([]) as readonly string[],
  message: undefined,
});

/**
 * The gateway forwards, not us: we can only vouch for the target it will
 * send. A target whose canonical form differs from what was sent (`/a/../b`,
 * `%2e`, `//x`, a fragment) would be checked as one path and served as
 * another by whatever the upstream makes of it, so it is refused 400 before
 * the Authorizer sees it (the Authorizer would otherwise check its
 * canonical form, which is not what the gateway forwards).
 */
export function refuseNonCanonical(target: string): Refused | null {
  return isCanonical(target) ? null : NOT_CANONICAL;
}

/** Every identity header an entrance may set, in the order they are sent. */
export const IDENTITY_HEADERS: readonly string[] = Object.freeze([
  'x-routemcp-key-id',
  'x-routemcp-account-id',
  'x-routemcp-environment',
  'x-routemcp-owner-id',
  'x-routemcp-key-meta',
]);

/** Identity headers are named `x-routemcp-*`: a client-sent one we do not set must not reach the upstream. */
export const IDENTITY_PREFIX = 'x-routemcp-';

/**
 * The headers the gateway sets on the upstream request for an allowed key,
 * flat `[name, value, …]` (names lower-case): the same identity the proxy
 * adds (`upstreamHeaders`), then the key's owner and metadata. The gateway
 * must overwrite, not append, so a client cannot pre-seed them (each
 * gateway's config says how).
 *
 * `unset` is what to do with one there is nothing to say for (a public path:
 * no key was read; a key with no owner or metadata). 'omit' leaves it out,
 * for Envoy, which removes it instead; 'empty' sends all five, empty where
 * unset, for HTTP gateways that copy a fixed list (Caddy 2.6 copies a
 * missing one as its literal, unreplaced placeholder).
 */
export function identityHeaders(result: Authorized, unset: 'omit' | 'empty' = 'omit'): readonly string[] {
  const key: KeyRecord | null = result.key;
  const set: string[] = [];
  if (key !== null) {
    set.push(
      'x-routemcp-key-id',
      key.id,
      'x-routemcp-account-id',
      key.accountId,
      'x-routemcp-environment',
      key.environment,
    );
    const extra = result.policy?.upstreamHeaders ?? EMPTY;
    for (let i = 0; i < extra.length; i++) set.push(extra[i]!);
  }
  if (unset === 'omit') return set;
  const out: string[] = [];
  pushIdentityHeaders(out, result);
  return out;
}

/**
 * All five identity headers, empty where unset (`identityHeaders`' 'empty'
 * form), appended to `headers` in IDENTITY_HEADERS' order: the HTTP entrance
 * writes them straight into its answer's header list, with no array of its own.
 */
export function pushIdentityHeaders(headers: string[], result: Authorized): void {
  const key = result.key;
  const policy = result.policy;
  headers.push(
    'x-routemcp-key-id',
    key?.id ?? '',
    'x-routemcp-account-id',
    key?.accountId ?? '',
    'x-routemcp-environment',
    key?.environment ?? '',
    'x-routemcp-owner-id',
    key?.ownerId ?? '',
    'x-routemcp-key-meta',
    policy === null ? '' : valueOf(policy.upstreamHeaders, 'x-routemcp-key-meta'),
  );
}

function valueOf(flat: readonly string[], name: string): string {
  for (let i = 0; i < flat.length; i += 2) if (flat[i] === name) return flat[i + 1]!;
  return '';
}

const EMPTY: readonly string[] = Object.freeze([]);
