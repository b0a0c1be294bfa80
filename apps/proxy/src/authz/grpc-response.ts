import { errorBody, errorCatalog } from '@routemcp/errors';
import type { Authorized, Refused } from '../pipeline/index.ts';
import { IDENTITY_PREFIX, identityHeaders } from './forward-decision.ts';
import type { GrpcCheck } from './grpc-request.ts';
import { RpcCode, type CheckResponse, type HeaderValueOption } from './grpc-messages.ts';

/** Overwrite, never append: a client must not be able to pre-seed what the upstream reads as our identity. */
function option(key: string, value: string): HeaderValueOption {
  return { header: { key, value }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' };
}

function options(flat: readonly string[], out: HeaderValueOption[] = []): HeaderValueOption[] {
  for (let i = 0; i < flat.length; i += 2) out.push(option(flat[i]!.toLowerCase(), flat[i + 1]!));
  return out;
}

const OK_STATUS = Object.freeze({ code: RpcCode.OK });
const ENVELOPE_HEADERS: readonly HeaderValueOption[] = Object.freeze([
  option('content-type', 'application/json; charset=utf-8'),
  option('cache-control', 'no-store'),
]);

/**
 * Allowed: the identity headers set on the upstream request (what the proxy
 * adds: key id, account id, environment, then the key's owner and metadata),
 * the key itself and any other `x-routemcp-*` the client sent removed, and
 * the RateLimit-* headers for the client's response.
 */
export function allowed(check: GrpcCheck, result: Authorized): CheckResponse {
  const headers = options(identityHeaders(result, 'omit'));
  const headersToRemove = ['authorization'];
  // Only the names not set here: with no name in both lists, the order Envoy applies them in cannot matter.
  for (const name in check.headers) {
    if (name.startsWith(IDENTITY_PREFIX) && !headers.some((set) => set.header.key === name)) headersToRemove.push(name);
  }
  return {
    status: OK_STATUS,
    okResponse: { headers, headersToRemove, responseHeadersToAdd: options(result.headers) },
  };
}

/** Refused: the proxy's status and envelope for Envoy to answer the client with, RateLimit-* and Retry-After included. */
export function denied(result: Pick<Refused, 'code' | 'headers' | 'message'>): CheckResponse {
  const { statusCode, message } = errorCatalog[result.code];
  return {
    status: { code: rpcCodeOf(statusCode), message: result.message ?? message },
    deniedResponse: {
      status: { code: statusCode },
      headers: options(result.headers, [...ENVELOPE_HEADERS]),
      body: errorBody(result.code, result.message),
    },
  };
}

/** Envoy reads any status but OK as a denial; the nearest gRPC code keeps its own logs and stats readable. */
function rpcCodeOf(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
    case 413:
      return RpcCode.INVALID_ARGUMENT;
    case 401:
      return RpcCode.UNAUTHENTICATED;
    case 403:
      return RpcCode.PERMISSION_DENIED;
    case 429:
      return RpcCode.RESOURCE_EXHAUSTED;
    case 503:
      return RpcCode.UNAVAILABLE;
    default:
      return RpcCode.INTERNAL;
  }
}
