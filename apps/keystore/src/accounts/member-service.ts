import type { Clock } from '../clock.ts';
import type { AccountStore, UserRecord } from './account-store.ts';
import { auditTeam, type Actor } from './actor.ts';
import type { FailureThrottle } from './failure-throttle.ts';
import { mayAssign, newPasswordProblem, type TeamRefusal } from './member-rules.ts';
import type { PasswordHasher } from './password.ts';
import type { Role } from './roles.ts';

export type MemberResult =
  { ok: true; member: UserRecord } | { ok: false; reason: TeamRefusal | 'not_found' | 'last_owner' };

export type PasswordChange =
  { ok: true; ended: number } | { ok: false; reason: 'wrong_password' | 'invalid' | 'locked'; message: string };

export interface MemberServiceOptions {
  accounts: AccountStore;
  passwords: PasswordHasher;
  clock: Clock;
  /** Bounds current-password checks per member, as logins are bounded: a stolen session cannot guess the password. */
  checks: FailureThrottle;
}

/**
 * The team's members and one's own account: role changes and removals
 * (checked against the actor's role here, and against "one owner stays" in
 * the store's transaction), password changes and "log out everywhere".
 */
export class MemberService {
  readonly #o: MemberServiceOptions;

  constructor(options: MemberServiceOptions) {
    this.#o = options;
  }

  list(accountId: string): Promise<UserRecord[]> {
    return this.#o.accounts.listMembers(accountId);
  }

  async changeRole(actor: Actor, userId: string, to: Role, address: string): Promise<MemberResult> {
    const member = await this.#member(actor, userId);
    if (member === undefined) return { ok: false, reason: 'not_found' };
    if (member.role === to) return { ok: true, member };
    const refused = mayAssign(actor.role, { from: member.role, to });
    if (refused !== undefined) return { ok: false, reason: refused };
    const changed = await this.#o.accounts.changeRole({ accountId: actor.accountId, userId, from: member.role }, to);
    if (!changed.ok) return changed;
    const target = `${member.email}: ${member.role} → ${to}`;
    await auditTeam(this.#o.accounts, actor, 'member.role_changed', target, address, this.#o.clock.now());
    return { ok: true, member: { ...member, role: to } };
  }

  /** Removal deletes the member's sessions with it: a removed member's next request is logged out. */
  async remove(actor: Actor, userId: string, address: string): Promise<MemberResult> {
    const member = await this.#member(actor, userId);
    if (member === undefined) return { ok: false, reason: 'not_found' };
    const refused = mayAssign(actor.role, { from: member.role });
    if (refused !== undefined) return { ok: false, reason: refused };
    const removed = await this.#o.accounts.removeMember({ accountId: actor.accountId, userId, from: member.role });
    if (!removed.ok) return removed;
    await auditTeam(this.#o.accounts, actor, 'member.removed', member.email, address, this.#o.clock.now());
    return { ok: true, member };
  }

  /** Checks the current password, sets the new one and ends every other session of the member. */
  async changePassword(actor: Actor, current: string, next: string, address: string): Promise<PasswordChange> {
    const problem = newPasswordProblem(next);
    if (problem !== undefined) return { ok: false, reason: 'invalid', message: problem };
    const subject = `password:${actor.userId}`;
    const slot = await this.#o.checks.reserve(subject);
    if (!slot.ok) {
      const minutes = Math.max(1, Math.ceil(slot.retryAfterMs / 60_000));
      return { ok: false, reason: 'locked', message: `Too many wrong passwords. Try again in ${minutes} minutes.` };
    }
    const member = await this.#o.accounts.findUser(actor.userId);
    const check =
      member === undefined ? { valid: false } : await this.#o.passwords.verify(current, member.passwordHash);
    // A miss keeps its slot (the recorded failure); a match forgets the count.
    if (!check.valid) return { ok: false, reason: 'wrong_password', message: 'The current password is incorrect.' };
    await this.#o.checks.clear(subject);
    const ended = (await this.#o.accounts.listSessions(actor.userId)).filter((s) => s.idHash !== actor.sessionIdHash);
    await this.#o.accounts.setPassword(actor.userId, await this.#o.passwords.hash(next), actor.sessionIdHash);
    await auditTeam(this.#o.accounts, actor, 'password.changed', actor.email, address, this.#o.clock.now());
    return { ok: true, ended: ended.length };
  }

  /** Ends every session of the member but the one asking; the number ended. */
  async logoutEverywhere(actor: Actor, address: string): Promise<number> {
    const ended = await this.#o.accounts.deleteSessionsOf(actor.userId, actor.sessionIdHash);
    await auditTeam(
      this.#o.accounts,
      actor,
      'sessions.ended',
      `${ended} other session(s)`,
      address,
      this.#o.clock.now(),
    );
    return ended;
  }

  /** A member of the actor's own account; another account's is answered like a missing one. */
  async #member(actor: Actor, userId: string): Promise<UserRecord | undefined> {
    const member = await this.#o.accounts.findUser(userId);
    return member?.accountId === actor.accountId ? member : undefined;
  }
}
