import type { AccountStore, AuditAction } from './account-store.ts';
import type { Role } from './roles.ts';

/** The signed-in member making a change (a dashboard session's user principal has these fields). */
export interface Actor {
  userId: string;
  email: string;
  accountId: string;
  role: Role;
  sessionIdHash: string;
}

/** One audit row for a team change: who, what, about whom (an email, never a token, password or session id). */
export function auditTeam(
  accounts: AccountStore,
  actor: Pick<Actor, 'accountId' | 'email'>,
  action: AuditAction,
  target: string,
  address: string,
  at: number,
): Promise<void> {
  return accounts.appendAudit({ accountId: actor.accountId, actor: actor.email, action, target, address, at });
}
