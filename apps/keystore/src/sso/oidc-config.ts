import { isIP } from 'node:net';
import type { Role } from '../accounts/roles.ts';

/** Single sign-on through one OpenID Provider, as the keystore was configured. */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** `<KEYSTORE_PUBLIC_URL>/login/oidc/callback`, registered at the provider. */
  redirectUri: string;
  /** The role a member gets when their first SSO login creates them. */
  defaultRole: Role;
  /** Lower-case email domains allowed to log in; empty: any verified email. */
  allowedDomains: readonly string[];
  /** Only for an http:// issuer on a loopback address (a provider on this machine, as in tests). */
  allowInsecure: boolean;
}

export interface OidcInput {
  issuer: string | undefined;
  clientId: string | undefined;
  clientSecret: string | undefined;
  defaultRole: Role;
  allowedDomains: readonly string[];
  publicUrl: string | undefined;
}

export const OIDC_CALLBACK_PATH = '/login/oidc/callback';

const TRIO = ['KEYSTORE_OIDC_ISSUER', 'KEYSTORE_OIDC_CLIENT_ID', 'KEYSTORE_OIDC_CLIENT_SECRET'] as const;

/**
 * The OIDC section of the configuration: all three of issuer, client id and
 * secret or none; an `http://` issuer only on a loopback address (anything
 * else would let the network forge the ID tokens' keys); a public URL for the
 * redirect URI. A string is the config error, naming the variable.
 */
export function readOidcConfig(input: OidcInput): OidcConfig | undefined | { error: string } {
  const values = [input.issuer, input.clientId, input.clientSecret];
  const set = values.filter((value) => value !== undefined).length;
  if (set === 0) return undefined;
  if (set < 3) {
    const missing = TRIO.filter((_, i) => values[i] === undefined);
    return {
      error: `${missing.join(', ')}: expected ${TRIO.join(', ')} to be set together (single sign-on), ${missing.length === 1 ? 'it is' : 'they are'} unset`,
    };
  }
  const issuer = new URL(input.issuer as string);
  const insecure = issuer.protocol === 'http:';
  if (insecure && !isLoopback(issuer.hostname)) {
    return {
      error: `KEYSTORE_OIDC_ISSUER: expected an https:// issuer (http:// only on a loopback address such as 127.0.0.1), got "${input.issuer}"`,
    };
  }
  if (input.publicUrl === undefined) {
    return {
      error:
        'KEYSTORE_PUBLIC_URL: expected the origin the dashboard is reached at (the redirect URI is <it>/login/oidc/callback) while single sign-on is configured, it is unset',
    };
  }
  // The login's state cookie is scoped to /login/oidc: behind a path prefix the browser would not send it back.
  if (new URL(input.publicUrl).pathname !== '/') {
    return {
      error: `KEYSTORE_PUBLIC_URL: expected an origin without a path (http(s)://host[:port]) while single sign-on is configured, got "${input.publicUrl}"`,
    };
  }
  return {
    issuer: input.issuer as string,
    clientId: input.clientId as string,
    clientSecret: input.clientSecret as string,
    redirectUri: `${input.publicUrl}${OIDC_CALLBACK_PATH}`,
    defaultRole: input.defaultRole,
    allowedDomains: input.allowedDomains,
    allowInsecure: insecure,
  };
}

/** `localhost`, 127.0.0.0/8 and ::1: a name or address that never leaves this machine. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}
