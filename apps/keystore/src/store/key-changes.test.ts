import { describe, expect, it } from 'vitest';
import { NO_POLICIES, type StoredKey } from '../keys/key-record.ts';
import { endedByRoll } from './key-changes.ts';

const NOW = 1_000_000;
const key = (changes: Partial<StoredKey> = {}): StoredKey => ({
  ...NO_POLICIES,
  id: 'key_old',
  hash: 'h',
  hint: 'sk_live_…abcd',
  accountId: 'acct_1',
  environment: 'live',
  name: null,
  rateLimit: null,
  createdAt: 0,
  expiresAt: null,
  revokedAt: null,
  lastUsedAt: null,
  rolledFrom: null,
  leak: null,
  ...changes,
});

describe('endedByRoll', () => {
  it('revokes the old key now when its grace is over already', () => {
    expect(endedByRoll(key(), NOW, NOW)).toEqual({ ok: true, ended: key({ revokedAt: NOW }) });
  });

  it('lets it expire at the grace’s end, never later than it would have', () => {
    expect(endedByRoll(key(), NOW + 60_000, NOW)).toEqual({ ok: true, ended: key({ expiresAt: NOW + 60_000 }) });
    expect(endedByRoll(key({ expiresAt: NOW + 5_000 }), NOW + 60_000, NOW)).toEqual({
      ok: true,
      ended: key({ expiresAt: NOW + 5_000 }),
    });
  });

  it('refuses a revoked key and an expired one', () => {
    expect(endedByRoll(key({ revokedAt: 1 }), NOW + 60_000, NOW)).toEqual({ ok: false, reason: 'revoked' });
    expect(endedByRoll(key({ expiresAt: NOW }), NOW + 60_000, NOW)).toEqual({ ok: false, reason: 'expired' });
  });
});
