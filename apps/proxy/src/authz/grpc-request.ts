import type { ServerUnaryCall } from '@grpc/grpc-js';
import type { Exchange } from '../observability/index.ts';
import { requestIdOf, type PipelineRequest, type RequestHead } from '../pipeline/index.ts';
import type { CheckRequest, CheckResponse, HttpRequestAttributes } from './grpc-messages.ts';

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * One `Check` call: the original request as Envoy reports it, read as a
 * PipelineRequest for the one Authorizer, and the Exchange the Recorder
 * logs and counts. One object per call, no copy of the header map.
 *
 * HTTP/1.1 by construction (Envoy parsed the client's framing, whatever its
 * protocol); with no Host it reads as HTTP/1.0, which the framing step
 * allows, as the HTTP forward-auth entrance does.
 */
export class GrpcCheck implements PipelineRequest, Exchange {
  readonly method: string | undefined;
  url: string;
  readonly httpVersionMajor = 1;
  readonly httpVersionMinor: number;
  readonly head: RequestHead;
  readonly clientAddress: string | undefined;
  /** The original request's header map (lower-case names), for the x-routemcp-* names a client sent. */
  readonly headers: Readonly<Record<string, string>>;
  readonly requestId: string;
  keyId: string | null = null;
  accountId: string | null = null;
  statusCode = 0;
  outcome = 'ok';
  readonly startedAt: number;
  forwardedAt = 0;
  readonly upstreamRespondedAt = 0;
  readonly upgrade = false;
  readonly #call: ServerUnaryCall<CheckRequest, CheckResponse>;

  constructor(
    call: ServerUnaryCall<CheckRequest, CheckResponse>,
    clientOf: (peer: string | undefined, forwardedFor: string | undefined) => string | undefined,
    startedAt: number,
  ) {
    this.#call = call;
    this.startedAt = startedAt;
    const attributes = call.request.attributes;
    const http: HttpRequestAttributes = attributes?.request?.http ?? {};
    const headers = http.headers ?? headersOf(http.headerMap?.headers) ?? NO_HEADERS;
    this.headers = headers;
    this.method = http.method;
    this.url = http.path ?? '';
    this.head = headOf(http, headers);
    this.httpVersionMinor = this.head.hosts === 0 ? 0 : 1;
    // Envoy's downstream address: its peer, or the client it derived from X-Forwarded-For per its own
    // xff_num_trusted_hops. Ours is only read from the header map when that address is in TRUSTED_PROXIES.
    this.clientAddress = clientOf(attributes?.source?.address?.socketAddress?.address, headers['x-forwarded-for']);
    this.requestId = requestIdOf(http.id ?? headers['x-request-id']);
  }

  get target(): string {
    return this.url;
  }

  gone(): boolean {
    return this.#call.cancelled;
  }
}

/** The fields the pipeline reads, from Envoy's map (one value per name, repeats already joined with `,`). */
function headOf(http: HttpRequestAttributes, headers: Readonly<Record<string, string>>): RequestHead {
  const authorization = headers['authorization'];
  const host = http.host || headers[':authority'] || headers['host'];
  return {
    authorization,
    // Envoy joins two Authorization fields into one value, which then reads as no valid key.
    authorizations: authorization === undefined ? 0 : 1,
    host: host || undefined,
    hosts: host ? 1 : 0,
    contentLength: headers['content-length'],
    // Envoy decoded the client's framing and does not forward it to us: nothing here to disagree about.
    transferEncoding: undefined,
    connection: headers['connection'],
    expect: headers['expect'],
    upgrade: headers['upgrade'],
    requestId: headers['x-request-id'],
    forwardedFor: headers['x-forwarded-for'],
  };
}

/** `encode_raw_headers: true` sends a list of entries (values as bytes) instead of the map. */
function headersOf(entries: CheckRequestHeaderEntries): Record<string, string> | undefined {
  if (entries === undefined) return undefined;
  const out = Object.create(null) as Record<string, string>;
  for (const entry of entries) {
    const name = entry.key?.toLowerCase();
    if (name === undefined) continue;
    const value = entry.rawValue !== undefined ? entry.rawValue.toString('latin1') : (entry.value ?? '');
    out[name] = out[name] === undefined ? value : `${out[name]},${value}`;
  }
  return out;
}

type CheckRequestHeaderEntries = NonNullable<HttpRequestAttributes['headerMap']>['headers'];
