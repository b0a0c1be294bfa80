import { decodeCursor } from '../audit/audit-cursor.ts';
import { AUDIT_DEFAULT_LIMIT, auditPageQuerySchema } from '../audit/audit-input.ts';
import { readAuditPage, type AuditPosition } from '../audit/audit-pages.ts';
import type { KeyService } from '../keys/key-service.ts';
import type { Route } from '../http/router.ts';
import type { DashboardDeps } from './dashboard-deps.ts';
import { pageRoute, sendHtml, viewerOf } from './page-kit.ts';
import { auditPage, type AuditPageFilter } from './pages/audit-page.ts';

/** The Audit log page: this account's entries, filtered by actor and action, newest first, a page at a time. */
export function auditPageRoutes(deps: DashboardDeps & { keys: KeyService }): Route[] {
  return [
    pageRoute(deps, { method: 'GET', pattern: '/audit', permission: 'audit.read' }, async ({ res, url }, user) => {
      const viewer = viewerOf(user);
      const hints = new Map((await deps.keys.list({ accountId: user.accountId })).map((k) => [k.id, k.hint]));
      const typed: AuditPageFilter = {
        actor: url.searchParams.get('actor') ?? undefined,
        action: url.searchParams.get('action') ?? undefined,
      };
      const parsed = auditPageQuerySchema.safeParse(Object.fromEntries(url.searchParams));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const error = `${issue?.path.join('.') ?? 'query'}: ${issue?.message ?? 'invalid'}`;
        const page = { entries: [], olderCursor: null, newerCursor: null };
        return sendHtml(res, 400, auditPage({ viewer, page, filter: typed, hints, error }));
      }
      const query = parsed.data;
      const newer = query.newer === undefined ? undefined : decodeCursor(query.newer);
      const older = query.older === undefined ? undefined : decodeCursor(query.older);
      const position: AuditPosition =
        newer !== undefined
          ? { from: 'newer', seq: newer }
          : older !== undefined
            ? { from: 'older', seq: older }
            : { from: 'newest' };
      const filter = { actor: query.actor, action: query.action };
      const selection = {
        accountId: user.accountId,
        actor: filter.actor,
        actions: filter.action === undefined ? undefined : [filter.action],
      };
      const page = await readAuditPage(deps.accounts, selection, position, AUDIT_DEFAULT_LIMIT);
      return sendHtml(res, 200, auditPage({ viewer, page, filter, hints }));
    }),
  ];
}
