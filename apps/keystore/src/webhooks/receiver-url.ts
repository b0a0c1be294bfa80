import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Whether an address is on the public internet. Everything ipaddr.js does not
 * class as `unicast` is refused: loopback, private (RFC 1918), link-local
 * (cloud metadata at 169.254.169.254), unique-local (fc00::/7), carrier-grade
 * NAT, multicast, unspecified, and the IPv4-in-IPv6 forms of each.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

export type UrlProblem = string;

/**
 * Why `text` cannot be a receiver URL, or undefined. Checks what needs no
 * network: http/https, no credentials in it, and (unless `allowPrivate`) no
 * address literal or `localhost` outside the public internet. Names are
 * resolved later, by `publicLookup`, on every connection.
 */
export function urlProblem(text: string, allowPrivate: boolean): UrlProblem | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'expected an absolute http:// or https:// URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'expected an http:// or https:// URL';
  if (url.username !== '' || url.password !== '') return 'expected no user name or password in the URL';
  if (allowPrivate) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return PRIVATE_REFUSAL;
  if (isIP(host) !== 0 && !isPublicAddress(host)) return PRIVATE_REFUSAL;
  return undefined;
}

const PRIVATE_REFUSAL =
  'expected a public address: loopback, private and link-local ranges are refused (KEYSTORE_WEBHOOK_ALLOW_PRIVATE=true allows them)';

/** A failed resolution that the dispatcher reports as the attempt's error. */
export class PrivateAddressError extends Error {
  readonly code = 'EPRIVATEADDRESS';
  constructor(host: string) {
    super(`${host} resolves to an address outside the public internet`);
    this.name = 'PrivateAddressError';
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls.connect that refuses a name resolving to any
 * non-public address. Checking the addresses the socket then connects to
 * (not a resolution made earlier) leaves no window for DNS rebinding.
 */
export function publicLookup(
  hostname: string,
  options: { all?: boolean; family?: number | string },
  callback: LookupCallback,
): void {
  const all: LookupAllOptions = { all: true, family: typeof options.family === 'number' ? options.family : 0 };
  dnsLookup(hostname, all, (error, addresses) => {
    if (error !== null) return callback(error, []);
    if (addresses.length === 0 || addresses.some((entry) => !isPublicAddress(entry.address))) {
      return callback(new PrivateAddressError(hostname), []);
    }
    if (options.all === true) return callback(null, addresses);
    const first = addresses[0] as LookupAddress;
    return callback(null, first.address, first.family);
  });
}
