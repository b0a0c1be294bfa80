import type { IncomingMessage } from 'node:http';
import type { AccountStore, AuditAction } from '../accounts/account-store.ts';
import type { Clock } from '../clock.ts';
import type { WebhookRecord } from '../webhooks/webhook-record.ts';
import { actorName } from './key-audit.ts';
import type { Principal } from './principal.ts';
import type { RequestOrigin } from './request-origin.ts';

/** Writes one audit row for a webhook change made over HTTP; the target is the endpoint's id, never its secret. */
export type WebhookAuditor = (
  req: IncomingMessage,
  principal: Principal | undefined,
  action: Extract<AuditAction, `webhook.${string}`>,
  webhook: WebhookRecord,
) => Promise<void>;

export const noWebhookAudit: WebhookAuditor = async () => {};

export function webhookAuditor(deps: { accounts: AccountStore; clock: Clock; origin: RequestOrigin }): WebhookAuditor {
  return (req, principal, action, webhook) =>
    deps.accounts.appendAudit({
      accountId: webhook.accountId,
      actor: actorName(principal),
      action,
      target: webhook.id,
      address: deps.origin.address(req),
      at: deps.clock.now(),
    });
}
