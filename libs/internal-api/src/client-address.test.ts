import { describe, expect, it } from 'vitest';
import { ClientAddresses, toBlockList } from './client-address.ts';

describe('ClientAddresses', () => {
  const behindLb = new ClientAddresses(['10.0.0.0/8', '2001:db8::/32']);

  it('is the socket peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    const none = new ClientAddresses([]);
    expect(none.of('10.0.0.1', '198.51.100.9')).toBe('10.0.0.1');
    expect(none.trusts('10.0.0.1')).toBe(false);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(behindLb.of('203.0.113.5', '198.51.100.9')).toBe('203.0.113.5');
    expect(behindLb.trusts('203.0.113.5')).toBe(false);
  });

  it('from a trusted peer: the right-most entry that is not a trusted proxy, not the left-most the client wrote', () => {
    expect(behindLb.of('10.0.0.1', '192.0.2.66, 198.51.100.9')).toBe('198.51.100.9');
    expect(behindLb.of('10.0.0.1', '192.0.2.66, 198.51.100.9, 10.1.2.3')).toBe('198.51.100.9');
    expect(behindLb.of('2001:db8::1', '198.51.100.9')).toBe('198.51.100.9');
  });

  it('trusts an IPv4 proxy seen as an IPv4-mapped IPv6 peer (a dual-stack listener)', () => {
    expect(behindLb.trusts('::ffff:10.0.0.1')).toBe(true);
    expect(behindLb.of('::ffff:10.0.0.1', '198.51.100.9')).toBe('198.51.100.9');
  });

  it('stops at the last trusted hop when an entry is not an address, or when every entry is trusted', () => {
    expect(behindLb.of('10.0.0.1', '198.51.100.9, unknown, 10.0.0.2')).toBe('10.0.0.2');
    expect(behindLb.of('10.0.0.1', '10.0.0.3, 10.0.0.2')).toBe('10.0.0.3');
    expect(behindLb.of('10.0.0.1', undefined)).toBe('10.0.0.1');
  });
});

describe('toBlockList', () => {
  it('takes addresses and CIDRs of both families and refuses anything else', () => {
    const list = toBlockList(['192.0.2.7', '10.0.0.0/8', '2001:db8::/32']);
    expect(list.check('10.9.9.9', 'ipv4')).toBe(true);
    expect(list.check('192.0.2.8', 'ipv4')).toBe(false);
    for (const bad of ['example.com', '10.0.0.0/33', '2001:db8::/129', '10.0.0.0/x'])
      expect(() => toBlockList([bad])).toThrow(/not an IP address or CIDR/);
  });
});
