import type { IncomingMessage } from 'node:http';

/** The cookie header as name → value; the first of duplicate names wins (RFC 6265 §5.4 order). */
export function readCookies(req: IncomingMessage): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (name !== '' && !cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

export interface CookieOptions {
  secure: boolean;
  /** Seconds; 0 deletes the cookie; undefined: a browser-session cookie. */
  maxAge?: number;
  /** Default `/`. */
  path?: string;
  /**
   * Default `Strict`. `Lax` only for a cookie that must come back on a
   * top-level navigation from another site (an SSO provider's redirect).
   */
  sameSite?: 'Strict' | 'Lax';
}

/** HttpOnly always; SameSite=Strict and Path=/ unless told; Secure when the page came over TLS. */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [
    `${name}=${value}`,
    `Path=${options.path ?? '/'}`,
    'HttpOnly',
    `SameSite=${options.sameSite ?? 'Strict'}`,
  ];
  if (options.maxAge !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAge))}`);
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
