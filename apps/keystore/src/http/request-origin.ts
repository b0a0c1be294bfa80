import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { ClientAddresses } from '@routemcp/internal-api';

/**
 * What the keystore may believe about where a request came from. Forwarded
 * headers are anyone's to forge, so they count only when the socket peer is
 * one of the proxies the operator lists (KEYSTORE_TRUSTED_PROXIES), and then
 * only the part those proxies wrote.
 */
export interface RequestOrigin {
  /** Came over TLS (directly, or per a trusted proxy's `X-Forwarded-Proto: https`). */
  secure(req: IncomingMessage): boolean;
  /** The client's address, for the audit log and login throttling. */
  address(req: IncomingMessage): string;
}

export function requestOrigin(options: { trustedProxies: readonly string[] }): RequestOrigin {
  const clients = new ClientAddresses(options.trustedProxies);
  const joined = (value: string | string[] | undefined): string | undefined =>
    Array.isArray(value) ? value.join(',') : value;
  return {
    secure(req) {
      if ((req.socket as TLSSocket).encrypted === true) return true;
      if (!clients.trusts(req.socket.remoteAddress)) return false;
      // The right-most value is the one our peer (a trusted proxy) wrote; anything left of it came from further out.
      const proto = joined(req.headers['x-forwarded-proto'])?.split(',').at(-1)?.trim().toLowerCase();
      return proto === 'https';
    },
    address(req) {
      const forwarded = joined(req.headers['x-forwarded-for']);
      return (clients.of(req.socket.remoteAddress, forwarded) ?? 'unknown').slice(0, 64);
    },
  };
}
