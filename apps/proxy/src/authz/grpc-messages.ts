/**
 * The parts of `envoy.service.auth.v3` messages this service reads and
 * writes, as @grpc/proto-loader decodes them (camelCase, enums by name,
 * absent fields absent). Types only: the wire format comes from Envoy's
 * `.proto` files (grpc-protos.ts).
 */

export interface SocketAddress {
  address?: string;
  portValue?: number;
}

/** `config.core.v3.HeaderMap` entries, sent instead of `headers` when Envoy has `encode_raw_headers`. */
export interface HeaderMapEntry {
  key?: string;
  value?: string;
  rawValue?: Buffer;
}

export interface HttpRequestAttributes {
  id?: string;
  method?: string;
  /** Lower-case names; a repeated field's values joined with `,` by Envoy. Pseudo-headers included. */
  headers?: Record<string, string>;
  headerMap?: { headers?: HeaderMapEntry[] };
  /** The request target as sent: path and query. */
  path?: string;
  host?: string;
  protocol?: string;
}

export interface CheckRequest {
  attributes?: {
    source?: { address?: { socketAddress?: SocketAddress } };
    request?: { http?: HttpRequestAttributes };
  };
}

/** `config.core.v3.HeaderValueOption`. */
export interface HeaderValueOption {
  header: { key: string; value: string };
  appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD';
}

export interface OkHttpResponse {
  headers: HeaderValueOption[];
  headersToRemove: string[];
  responseHeadersToAdd: HeaderValueOption[];
}

export interface DeniedHttpResponse {
  /** `type.v3.HttpStatus`: the enum's numbers are the HTTP status codes. */
  status: { code: number };
  headers: HeaderValueOption[];
  body: string;
}

/** `google.rpc.Status` codes used in a CheckResponse (google/rpc/code.proto). */
export const RpcCode = {
  OK: 0,
  INVALID_ARGUMENT: 3,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

export type CheckResponse =
  | { status: { code: 0 }; okResponse: OkHttpResponse }
  | { status: { code: number; message: string }; deniedResponse: DeniedHttpResponse };
