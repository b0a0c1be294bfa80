import type { AccountStore } from '../accounts/account-store.ts';
import { auditQueryInput, auditQuerySchema, auditRequest } from '../audit/audit-input.ts';
import { readAuditPage } from '../audit/audit-pages.ts';
import { toAuditView } from '../audit/audit-view.ts';
import { parseInput } from '../keys/key-input.ts';
import { accountScope } from './management-routes.ts';
import type { Route } from './router.ts';

/** `GET /v1/audit-log`: what a SIEM pulls, newest first, a page at a time. */
export function auditRoutes(accounts: Pick<AccountStore, 'listAudit'>): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/audit-log',
      access: 'management',
      permission: 'audit.read',
      async handle({ url, principal }) {
        const query = parseInput(auditQuerySchema, auditQueryInput(url.searchParams));
        const scope = accountScope(principal);
        // As GET /v1/keys: another account's id is an empty answer, not a hint that it exists.
        if (scope !== undefined && query.accountId !== undefined && query.accountId !== scope) {
          return { status: 200, data: { entries: [], nextCursor: null } };
        }
        const { selection, position, limit } = auditRequest(query, scope ?? query.accountId);
        const page = await readAuditPage(accounts, selection, position, limit);
        return { status: 200, data: { entries: page.entries.map(toAuditView), nextCursor: page.olderCursor } };
      },
    },
  ];
}
