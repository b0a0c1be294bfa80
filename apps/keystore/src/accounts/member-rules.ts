import { can, type Role } from './roles.ts';

/** Why a change to the team is refused, as a value the page turns into a message. */
export type TeamRefusal = 'forbidden' | 'owners_only';

/**
 * Who may give or take which role: `members.write` for the team at all, and
 * `owners.write` as well for anything that touches an owner (making one,
 * changing one, removing one) — so an admin manages everyone but owners.
 */
export function mayAssign(actor: Role, target: { from?: Role; to?: Role }): TeamRefusal | undefined {
  if (!can(actor, 'members.write')) return 'forbidden';
  if ((target.from === 'owner' || target.to === 'owner') && !can(actor, 'owners.write')) return 'owners_only';
  return undefined;
}

/** Enforced when a password is set, never only warned about. */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

/** What is wrong with a new password (and its repetition, when the form asks twice); undefined: nothing. */
export function newPasswordProblem(password: string, repeated?: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH)
    return `The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`;
  if (password.length > MAX_PASSWORD_LENGTH)
    return `The password must be at most ${MAX_PASSWORD_LENGTH} characters long.`;
  if (repeated !== undefined && repeated !== password) return 'The two passwords do not match.';
  return undefined;
}
