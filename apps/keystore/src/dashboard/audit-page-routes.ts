import { can } from '../accounts/roles.ts';
import { decodeCursor } from '../audit/audit-cursor.ts';
import { AUDIT_DEFAULT_LIMIT, auditPageQuerySchema } from '../audit/audit-input.ts';
import { readAuditPage, type AuditPosition } from '../audit/audit-pages.ts';
import type { KeyService } from '../keys/key-service.ts';
import type { Route } from '../http/router.ts';
import type { DashboardDeps } from './dashboard-deps.ts';
import { requireUser, sendHtml, viewerOf } from './page-kit.ts';
import { auditPage, type AuditPageFilter } from './pages/audit-page.ts';
import { errorPage } from './pages/error-page.ts';

/** The Audit log page: this account's entries, filtered by actor and action, newest first, a page at a time. */
export function auditPageRoutes(deps: DashboardDeps & { keys: KeyService }): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/audit',
      access: 'public',
      async handle({ req, res, url }) {
        const user = await requireUser(deps, req, res);
        if (user === undefined) return 'handled';
        const viewer = viewerOf(user);
        if (!can(user.role, 'audit.read')) {
          const message = 'Your role does not allow reading the audit log.';
          return sendHtml(res, 403, errorPage({ title: 'Not allowed', message, viewer }));
        }
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
      },
    },
  ];
}
