/**
 * Every error code the gateway puts on the wire, with its HTTP status and the
 * message used when the caller gives none. The 401 entry is the RouteMCP
 * docs' envelope byte-for-byte; do not reword it.
 */
export const errorCatalog = {
  BAD_REQUEST: { statusCode: 400, message: 'Bad request' },
  INVALID_API_KEY: { statusCode: 401, message: 'Invalid or missing API key' },
  UNAUTHORIZED: { statusCode: 401, message: 'Authentication required' },
  FORBIDDEN: { statusCode: 403, message: 'Forbidden' },
  NOT_FOUND: { statusCode: 404, message: 'Not found' },
  METHOD_NOT_ALLOWED: { statusCode: 405, message: 'Method not allowed' },
  REQUEST_TIMEOUT: { statusCode: 408, message: 'Request timed out' },
  CONFLICT: { statusCode: 409, message: 'Conflict' },
  PAYLOAD_TOO_LARGE: { statusCode: 413, message: 'Request body too large' },
  UNSUPPORTED_MEDIA_TYPE: { statusCode: 415, message: 'Content-Type must be application/json' },
  RATE_LIMITED: { statusCode: 429, message: 'Too many requests' },
  QUOTA_EXCEEDED: { statusCode: 429, message: 'Quota exceeded' },
  HEADERS_TOO_LARGE: { statusCode: 431, message: 'Request header fields too large' },
  INTERNAL_ERROR: { statusCode: 500, message: 'Internal server error' },
  UPSTREAM_UNAVAILABLE: { statusCode: 502, message: 'Upstream service unavailable' },
  AUTH_UNAVAILABLE: { statusCode: 503, message: 'Authentication service unavailable' },
  SERVICE_UNAVAILABLE: { statusCode: 503, message: 'Service unavailable' },
  UPSTREAM_TIMEOUT: { statusCode: 504, message: 'Upstream service timed out' },
} as const satisfies Record<string, { statusCode: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalog;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCatalog, value);
}
