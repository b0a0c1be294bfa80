import { BlockList } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseIpRange } from './ip-range.ts';

describe('parseIpRange', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['10.0.0.0/8', '10.0.0.0/8'],
    [' 10.0.0.0/8 ', '10.0.0.0/8'],
    ['2001:DB8:0:0::/32', '2001:db8::/32'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['::/0', '::/0'],
    ['0.0.0.0/0', '0.0.0.0/0'],
  ])('%j → %j', (text, canonical) => {
    expect(parseIpRange(text)).toEqual({ ok: true, canonical });
  });

  it.each([
    '10.0.0',
    '010.0.0.1',
    'example.com',
    '10.0.0.0/33',
    '2001:db8::/129',
    '10.0.0.0/',
    '10.0.0.0/08',
    '10.0.0.0/-1',
    'fe80::1%eth0',
    '',
  ])('refuses %j', (text) => {
    expect(parseIpRange(text).ok).toBe(false);
  });

  it('gives ranges node:net BlockList accepts as written', () => {
    const list = new BlockList();
    for (const text of ['10.0.0.0/8', '2001:DB8::/32', '203.0.113.7']) {
      const range = parseIpRange(text);
      if (!range.ok) throw new Error(range.error);
      const [address = '', prefix] = range.canonical.split('/');
      const family = address.includes(':') ? 'ipv6' : 'ipv4';
      if (prefix === undefined) list.addAddress(address, family);
      else list.addSubnet(address, Number(prefix), family);
    }
    expect(list.check('10.20.30.40', 'ipv4')).toBe(true);
    expect(list.check('2001:db8::5', 'ipv6')).toBe(true);
    expect(list.check('203.0.113.7', 'ipv4')).toBe(true);
    expect(list.check('203.0.113.8', 'ipv4')).toBe(false);
  });
});
