import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { newInvitationId, newUserId } from '../ids.ts';
import type { AccountStore, InvitationRecord } from './account-store.ts';
import { auditTeam, type Actor } from './actor.ts';
import { normalizeEmail } from './login-service.ts';
import { mayAssign, newPasswordProblem, type TeamRefusal } from './member-rules.ts';
import type { PasswordHasher } from './password.ts';
import type { Role } from './roles.ts';
import type { Session, SessionService } from './session-service.ts';

export const INVITATION_TTL_MS = 72 * 3_600_000;

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export type InviteResult =
  | { ok: true; token: string; invitation: InvitationRecord }
  | { ok: false; reason: TeamRefusal | 'invalid_email' | 'already_member' };

/** Why a link cannot be used. */
export type Unusable = { ok: false; reason: 'unknown' | 'used' | 'withdrawn' | 'expired' | 'email_taken' };

export type JoinResult =
  { ok: true; token: string; session: Session } | { ok: false; reason: 'password'; message: string } | Unusable;

export interface InvitationServiceOptions {
  accounts: AccountStore;
  sessions: SessionService;
  passwords: PasswordHasher;
  clock: Clock;
}

/**
 * Invitations to an account: a link with 256 random bits, shown once to the
 * inviter (no mail server needed), stored as its SHA-256, good for 72 hours
 * and for one use; opening it sets a password and logs the new member in.
 */
export class InvitationService {
  readonly #o: InvitationServiceOptions;

  constructor(options: InvitationServiceOptions) {
    this.#o = options;
  }

  async invite(actor: Actor, rawEmail: string, role: Role, address: string): Promise<InviteResult> {
    const refused = mayAssign(actor.role, { to: role });
    if (refused !== undefined) return { ok: false, reason: refused };
    const email = normalizeEmail(rawEmail);
    if (email.length > 254 || !EMAIL.test(email)) return { ok: false, reason: 'invalid_email' };
    // Emails are unique across the keystore: one login, one account.
    if ((await this.#o.accounts.findUserByEmail(email)) !== undefined) return { ok: false, reason: 'already_member' };
    const token = randomBytes(32).toString('base64url');
    const now = this.#o.clock.now();
    const invitation: InvitationRecord = {
      id: newInvitationId(),
      accountId: actor.accountId,
      email,
      role,
      invitedBy: actor.email,
      createdAt: now,
      expiresAt: now + INVITATION_TTL_MS,
      acceptedAt: null,
      withdrawnAt: null,
    };
    await this.#o.accounts.createInvitation({ ...invitation, tokenHash: tokenHash(token) });
    await auditTeam(this.#o.accounts, actor, 'invitation.created', `${email} as ${role}`, address, now);
    return { ok: true, token, invitation };
  }

  pending(accountId: string): Promise<InvitationRecord[]> {
    return this.#o.accounts.pendingInvitations(accountId, this.#o.clock.now());
  }

  /** Undefined: no pending invitation by that id in the actor's account. */
  async withdraw(actor: Actor, id: string, address: string): Promise<InvitationRecord | TeamRefusal | undefined> {
    const now = this.#o.clock.now();
    const pending = (await this.#o.accounts.pendingInvitations(actor.accountId, now)).find((i) => i.id === id);
    if (pending === undefined) return undefined;
    const refused = mayAssign(actor.role, { to: pending.role });
    if (refused !== undefined) return refused;
    const withdrawn = await this.#o.accounts.withdrawInvitation(actor.accountId, id, now);
    if (withdrawn === undefined) return undefined;
    await auditTeam(this.#o.accounts, actor, 'invitation.withdrawn', withdrawn.email, address, now);
    return withdrawn;
  }

  /** The invitation behind a link, if it can still be used. */
  async open(token: string): Promise<InvitationRecord | Unusable> {
    const invitation = token.length > 100 ? undefined : await this.#o.accounts.findInvitation(tokenHash(token));
    if (invitation === undefined) return { ok: false, reason: 'unknown' };
    if (invitation.acceptedAt !== null) return { ok: false, reason: 'used' };
    if (invitation.withdrawnAt !== null) return { ok: false, reason: 'withdrawn' };
    if (this.#o.clock.now() >= invitation.expiresAt) return { ok: false, reason: 'expired' };
    return invitation;
  }

  async join(token: string, password: string, repeated: string, address: string): Promise<JoinResult> {
    const problem = newPasswordProblem(password, repeated);
    if (problem !== undefined) return { ok: false, reason: 'password', message: problem };
    const opened = await this.open(token);
    if ('ok' in opened) return opened;
    const passwordHash = await this.#o.passwords.hash(password);
    const now = this.#o.clock.now();
    const accepted = await this.#o.accounts.acceptInvitation(tokenHash(token), { id: newUserId(), passwordHash }, now);
    if (!accepted.ok) return accepted;
    const { user } = accepted;
    await this.#o.accounts.appendAudit({
      accountId: user.accountId,
      actor: user.email,
      action: 'invitation.accepted',
      target: `${user.email} as ${user.role}`,
      address,
      at: now,
    });
    return { ok: true, ...(await this.#o.sessions.start(user)) };
  }
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
