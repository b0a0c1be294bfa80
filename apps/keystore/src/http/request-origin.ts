import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/**
 * What the keystore may believe about where a request came from. Forwarded
 * headers are anyone's to forge, so they count only when the operator says a
 * proxy in front sets them (KEYSTORE_TRUST_PROXY).
 */
export interface RequestOrigin {
  /** Came over TLS (directly, or via a trusted proxy's `X-Forwarded-Proto: https`). */
  secure(req: IncomingMessage): boolean;
  /** The client's address, for the audit log and login throttling. */
  address(req: IncomingMessage): string;
}

export function requestOrigin(options: { trustProxy: boolean }): RequestOrigin {
  const first = (value: string | string[] | undefined): string | undefined => {
    const text = Array.isArray(value) ? value[0] : value;
    const item = text?.split(',')[0]?.trim();
    return item === '' ? undefined : item;
  };
  return {
    secure(req) {
      if ((req.socket as TLSSocket).encrypted === true) return true;
      return options.trustProxy && first(req.headers['x-forwarded-proto'])?.toLowerCase() === 'https';
    },
    address(req) {
      const forwarded = options.trustProxy ? first(req.headers['x-forwarded-for']) : undefined;
      return (forwarded ?? req.socket.remoteAddress ?? 'unknown').slice(0, 64);
    },
  };
}
