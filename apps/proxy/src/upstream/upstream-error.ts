import type { ErrorCode } from '@routemcp/errors';

/**
 * The few ways forwarding can fail, whichever client (undici for requests,
 * Node's http through http-proxy-3 for WebSocket tunnels) saw it. Each
 * client's own errors are translated here, once; nothing past this module
 * sees an errno string or an undici code.
 */
export type UpstreamFailure = 'timeout' | 'unavailable' | 'payload-too-large' | 'client-closed';

export class UpstreamError extends Error {
  override name = 'UpstreamError';
  readonly failure: UpstreamFailure;
  /** The library's code (ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT…), for the log only. */
  readonly code: string;
  /** An outcome we know and expect (upstream down, slow, client gone); anything else deserves a stack in the log. */
  readonly expected: boolean;

  constructor(failure: UpstreamFailure, code: string, options?: { cause?: unknown; expected?: boolean }) {
    super(`${failure} (${code})`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.failure = failure;
    this.code = code;
    this.expected = options?.expected ?? true;
  }
}

/** The envelope each failure is answered with; null when nobody is left to answer. */
export function failureCode(failure: UpstreamFailure): ErrorCode | null {
  switch (failure) {
    case 'timeout':
      return 'UPSTREAM_TIMEOUT';
    case 'unavailable':
      return 'UPSTREAM_UNAVAILABLE';
    case 'payload-too-large':
      return 'PAYLOAD_TOO_LARGE';
    case 'client-closed':
      return null;
  }
}

export const bodyTooLarge = (): UpstreamError => new UpstreamError('payload-too-large', 'MAX_BODY_BYTES');
export const clientClosed = (): UpstreamError => new UpstreamError('client-closed', 'CLIENT_CLOSED');

const TIMEOUTS = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
  'ECONNECT_TIMEOUT',
  'UPSTREAM_TIMEOUT',
]);
/** "The upstream is not there or broke the connection": expected, not worth a stack. */
const UNAVAILABLE = new Set([
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_INFO',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'HPE_INVALID_CONSTANT',
]);

/** Any error a forwarding client raised, as one of ours. Our own errors pass through unchanged. */
export function toUpstreamError(error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const code = codeOf(error);
  if (TIMEOUTS.has(code)) return new UpstreamError('timeout', code, { cause: error });
  if (UNAVAILABLE.has(code) || code.startsWith('HPE_')) return new UpstreamError('unavailable', code, { cause: error });
  return new UpstreamError('unavailable', code, { cause: error, expected: false });
}

function codeOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string')
    return error.code;
  return 'unknown';
}
