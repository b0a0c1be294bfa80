import { describe, expect, it } from 'vitest';
import type { KeyRecord } from '../key-lookup/index.ts';
import { KeyPolicy, type Authorized } from '../pipeline/index.ts';
import { identityHeaders } from './forward-decision.ts';

const defaults = { live: { capacity: 100, refillPerSecond: 10 }, test: { capacity: 5, refillPerSecond: 1 } };

function allowed(over: Partial<KeyRecord> | null): Authorized {
  if (over === null) return { kind: 'authorized', key: null, policy: null, limits: null, headers: [] };
  const key: KeyRecord = {
    id: 'key_1',
    accountId: 'acct_1',
    environment: 'live',
    expiresAt: null,
    rateLimit: null,
    ...over,
  };
  return { kind: 'authorized', key, policy: new KeyPolicy(key, defaults), limits: null, headers: [] };
}

describe('identityHeaders: the one builder both forward-auth entrances use', () => {
  it("'omit' (gRPC): the proxy's three, then owner and metadata only when the key has them", () => {
    expect(identityHeaders(allowed({}))).toEqual([
      'x-routemcp-key-id',
      'key_1',
      'x-routemcp-account-id',
      'acct_1',
      'x-routemcp-environment',
      'live',
    ]);
    expect(identityHeaders(allowed({ ownerId: 'cus_7', metadata: { plan: 'pro' } })).slice(6)).toEqual([
      'x-routemcp-owner-id',
      'cus_7',
      'x-routemcp-key-meta',
      Buffer.from('{"plan":"pro"}').toString('base64url'),
    ]);
    expect(identityHeaders(allowed(null))).toEqual([]);
  });

  it("'empty' (HTTP): always all five, in one order, empty where unset", () => {
    const names = ['key-id', 'account-id', 'environment', 'owner-id', 'key-meta'].map((n) => `x-routemcp-${n}`);
    expect(identityHeaders(allowed(null), 'empty')).toEqual(names.flatMap((name) => [name, '']));
    expect(identityHeaders(allowed({ ownerId: 'cus_7' }), 'empty')).toEqual([
      ...[names[0], 'key_1', names[1], 'acct_1', names[2], 'live'],
      ...[names[3], 'cus_7', names[4], ''],
    ]);
  });
});
