import { randomBytes } from 'node:crypto';
import { newUserId } from '../ids.ts';
import type { AccountStore, UserRecord } from './account-store.ts';
import type { Role } from './roles.ts';

export type SsoMemberResult =
  | { ok: true; user: UserRecord; role: Role; /** This login created the member. */ created: boolean }
  | { ok: false; reason: 'refused' };

/**
 * What single sign-on needs from the team: the member behind a verified
 * email, created with `role` on the first login. Narrow on purpose, so the
 * member store of the team work can stand behind it.
 */
export interface SsoMembers {
  findOrCreate(email: string, role: Role, now: number): Promise<SsoMemberResult>;
}

/**
 * SSO members on the AccountStore: members of one account (the default
 * one), matched by email. A created member's password hash is no scrypt
 * string, so no password ever verifies against it. A member found keeps the
 * role the team gave it; `role` is only the new member's.
 */
export function accountStoreSsoMembers(accounts: AccountStore, accountId: string): SsoMembers {
  return {
    async findOrCreate(email, role, now) {
      const found = await accounts.findUserByEmail(email);
      if (found !== undefined) return { ok: true, user: found, role: found.role, created: false };
      const passwordHash = `sso$${randomBytes(32).toString('base64url')}`;
      const created = await accounts.createUser({ id: newUserId(), accountId, email, passwordHash, role }, now);
      if (created !== undefined) return { ok: true, user: created, role, created: true };
      // Two first logins at once: the other one created the member.
      const raced = await accounts.findUserByEmail(email);
      return raced === undefined
        ? { ok: false, reason: 'refused' }
        : { ok: true, user: raced, role: raced.role, created: false };
    },
  };
}
