import { describe, expect, it } from 'vitest';
import type { InvitationRecord } from '../accounts/account-store.ts';
import { keepsAnOwner, toUser, unusable } from './account-rows.ts';

const invitation: InvitationRecord = {
  id: 'inv_1',
  accountId: 'acct_1',
  email: 'dev@example.com',
  role: 'developer',
  invitedBy: 'owner@example.com',
  createdAt: 0,
  expiresAt: 1000,
  acceptedAt: null,
  withdrawnAt: null,
};

describe('account rules both engines share', () => {
  it('keeps an owner: only the last owner stepping down or leaving is refused', () => {
    expect(keepsAnOwner('owner', 'admin', 1)).toBe(false);
    expect(keepsAnOwner('owner', undefined, 1)).toBe(false);
    expect(keepsAnOwner('owner', 'admin', 2)).toBe(true);
    expect(keepsAnOwner('owner', 'owner', 1)).toBe(true);
    expect(keepsAnOwner('viewer', undefined, 1)).toBe(true);
  });

  it('an invitation is usable until used, withdrawn or its expiry (which is already too late)', () => {
    expect(unusable(invitation, 999)).toBeUndefined();
    expect(unusable(invitation, 1000)).toEqual({ ok: false, reason: 'expired' });
    expect(unusable({ ...invitation, acceptedAt: 5 }, 6)).toEqual({ ok: false, reason: 'used' });
    expect(unusable({ ...invitation, withdrawnAt: 5 }, 6)).toEqual({ ok: false, reason: 'withdrawn' });
  });

  it('reads a role it does not know as the least trusted one', () => {
    const row = { id: 'u', account_id: 'a', email: 'e', password_hash: '', created_at: 1, last_login_at: null };
    expect(toUser({ ...row, role: 'root' }).role).toBe('viewer');
    expect(toUser({ ...row, role: 'admin' }).role).toBe('admin');
  });
});
