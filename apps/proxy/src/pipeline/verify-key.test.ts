import { makeTestKey } from '@routemcp/api-key/testing';
import { describe, expect, it } from 'vitest';
import { FakeKeyVerifier } from '../testing/fake-key-verifier.ts';
import { verifyKey } from './verify-key.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('verifyKey', () => {
  it('returns the record of an active key, looked up by hash only', async () => {
    const verifier = new FakeKeyVerifier();
    const { key, hash } = makeTestKey('live');
    const record = verifier.add(key, { environment: 'live' });
    expect(await verifyKey(verifier, key, NOW)).toEqual({ ok: true, key: record });
    expect(verifier.lookups).toEqual([hash]);
  });

  it.each([
    ['unknown', () => {}],
    ['revoked', (v: FakeKeyVerifier, key: string) => v.revoke(key)],
    ['expired', (v: FakeKeyVerifier, key: string) => v.add(key, { environment: 'test', expiresAt: NOW })],
  ])('answers INVALID_API_KEY for a %s key', async (reason, setup) => {
    const verifier = new FakeKeyVerifier();
    const { key } = makeTestKey();
    setup(verifier, key);
    expect(await verifyKey(verifier, key, NOW)).toEqual({ ok: false, code: 'INVALID_API_KEY', reason });
  });

  it('keeps a key that expires later', async () => {
    const verifier = new FakeKeyVerifier();
    const { key } = makeTestKey();
    verifier.add(key, { environment: 'test', expiresAt: NOW + 1 });
    expect((await verifyKey(verifier, key, NOW)).ok).toBe(true);
  });

  it('fails closed with AUTH_UNAVAILABLE when the keystore cannot answer', async () => {
    const verifier = new FakeKeyVerifier();
    verifier.otherwise({ ok: false, reason: 'unavailable' });
    expect(await verifyKey(verifier, makeTestKey().key, NOW)).toEqual({
      ok: false,
      code: 'AUTH_UNAVAILABLE',
      reason: 'unavailable',
    });
  });
});
