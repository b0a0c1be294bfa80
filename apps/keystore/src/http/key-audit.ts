import type { IncomingMessage } from 'node:http';
import type { AccountStore, AuditAction } from '../accounts/account-store.ts';
import type { Clock } from '../clock.ts';
import type { StoredKey } from '../keys/key-record.ts';
import type { Principal } from './principal.ts';
import type { RequestOrigin } from './request-origin.ts';

/** Writes one audit row for a key change made over HTTP; `actor` names a caller that is no principal (`github`). */
export type KeyAuditor = (
  req: IncomingMessage,
  principal: Principal | undefined,
  action: AuditAction,
  key: StoredKey,
  actor?: string,
) => Promise<void>;

export const noAudit: KeyAuditor = async () => {};

export function actorName(principal: Principal | undefined): string {
  if (principal === undefined) return 'anonymous';
  if (principal.kind === 'user') return principal.email;
  // Prefixed: a token's name is chosen by its owner and must not pass for an email, `operator` or `cli`.
  if (principal.kind === 'token') return `token:${principal.name}`;
  return principal.kind;
}

export function keyAuditor(deps: { accounts: AccountStore; clock: Clock; origin: RequestOrigin }): KeyAuditor {
  return (req, principal, action, key, actor) =>
    deps.accounts.appendAudit({
      accountId: key.accountId,
      actor: actor ?? actorName(principal),
      action,
      target: key.id,
      address: deps.origin.address(req),
      at: deps.clock.now(),
    });
}
