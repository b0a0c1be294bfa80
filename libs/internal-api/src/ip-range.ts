import { isIP } from 'node:net';

const PREFIX = /^(0|[1-9][0-9]{0,2})$/;

export type IpRange = { ok: true; canonical: string } | { ok: false; error: string };

/**
 * An IPv4/IPv6 address or CIDR in canonical text (IPv6 lower-case and
 * compressed as RFC 5952 writes it), or why not. The prefix is kept as
 * written: `BlockList.addSubnet` masks host bits itself. Zone ids (`%eth0`)
 * are refused: a socket peer's address never carries one in a comparison.
 */
export function parseIpRange(text: string): IpRange {
  const value = text.trim();
  const slash = value.indexOf('/');
  const address = slash === -1 ? value : value.slice(0, slash);
  const family = isIP(address);
  if (family === 0 || address.includes('%')) {
    return { ok: false, error: `"${value}" is not an IPv4/IPv6 address or CIDR` };
  }
  const canonical = family === 6 ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;
  if (slash === -1) return { ok: true, canonical };
  const prefix = value.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  if (!PREFIX.test(prefix) || Number(prefix) > max) {
    return { ok: false, error: `"${value}": the prefix length must be 0..${max}` };
  }
  return { ok: true, canonical: `${canonical}/${Number(prefix)}` };
}
