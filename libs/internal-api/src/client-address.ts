import { BlockList, isIP } from 'node:net';

/**
 * The client's address. With no trusted proxies it is the socket peer.
 * When the peer is a trusted proxy (the proxy's TRUSTED_PROXIES, the
 * keystore's KEYSTORE_TRUSTED_PROXIES: a load balancer in front), it is the
 * right-most X-Forwarded-For entry that is not itself a trusted proxy:
 * everything left of it could have been written by the client. An entry
 * that is not an address stops the walk at the last hop we could trust.
 */
export class ClientAddresses {
  readonly #trusted: BlockList | null;

  constructor(trusted: readonly string[]) {
    this.#trusted = trusted.length === 0 ? null : toBlockList(trusted);
  }

  /** True when `address` is one of the trusted proxies: only then are its forwarded headers believed. */
  trusts(address: string | undefined): boolean {
    return this.#trusted !== null && address !== undefined && isTrusted(this.#trusted, address);
  }

  of(peer: string | undefined, forwardedFor: string | undefined): string | undefined {
    const trusted = this.#trusted;
    if (trusted === null || forwardedFor === undefined || !this.trusts(peer)) return peer;
    let nearest = peer;
    const hops = forwardedFor.split(',');
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!.trim();
      if (isIP(hop) === 0) return nearest;
      if (!isTrusted(trusted, hop)) return hop;
      nearest = hop;
    }
    return nearest;
  }
}

function isTrusted(list: BlockList, address: string): boolean {
  return list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/** Addresses and CIDRs (`10.0.0.0/8`, `2001:db8::/32`, `192.0.2.7`) as a BlockList; throws on a bad entry. */
export function toBlockList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const slash = entry.indexOf('/');
    const address = slash === -1 ? entry : entry.slice(0, slash);
    const family = isIP(address);
    if (family === 0) throw new Error(`not an IP address or CIDR: ${JSON.stringify(entry)}`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (slash === -1) list.addAddress(address, type);
    else {
      const prefix = Number(entry.slice(slash + 1));
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32))
        throw new Error(`not an IP address or CIDR: ${JSON.stringify(entry)}`);
      list.addSubnet(address, prefix, type);
    }
  }
  return list;
}
