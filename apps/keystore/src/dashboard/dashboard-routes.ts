import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KeyAuditor } from '../http/key-audit.ts';
import type { WebhookAuditor } from '../http/webhook-audit.ts';
import type { WebhookService } from '../webhooks/webhook-service.ts';
import type { Route } from '../http/router.ts';
import type { KeyService } from '../keys/key-service.ts';
import { auditPageRoutes } from './audit-page-routes.ts';
import { accountRoutes } from './account-routes.ts';
import { authRoutes } from './auth-routes.ts';
import type { DashboardDeps } from './dashboard-deps.ts';
import { inviteRoutes } from './invite-routes.ts';
import { keyPageRoutes } from './key-page-routes.ts';
import { teamRoutes } from './team-routes.ts';
import { ssoRoutes } from '../sso/sso-routes.ts';
import { webhookPageRoutes } from './webhook-page-routes.ts';
import { tokenPageRoutes } from './token-page-routes.ts';

/** The web UI at `/`: pages, forms and its two static files. */
export function dashboardRoutes(
  deps: DashboardDeps & {
    keys: KeyService;
    audit: KeyAuditor;
    webhooks?: WebhookService | undefined;
    webhookAudit: WebhookAuditor;
  },
): Route[] {
  const { webhooks } = deps;
  return [
    ...authRoutes(deps),
    ...(deps.sso === undefined ? [] : ssoRoutes({ ...deps, sso: deps.sso })),
    ...keyPageRoutes(deps),
    ...(webhooks === undefined ? [] : webhookPageRoutes({ ...deps, webhooks })),
    ...auditPageRoutes(deps),
    ...teamRoutes(deps),
    ...accountRoutes(deps),
    ...inviteRoutes(deps),
    ...tokenPageRoutes(deps),
    asset('/assets/dashboard.css', 'dashboard.css', 'text/css; charset=utf-8'),
    asset('/assets/dashboard.js', 'dashboard.js', 'text/javascript; charset=utf-8'),
  ];
}

/** A static file read once at start; revalidated by ETag so an upgrade is picked up at once. */
function asset(pattern: string, file: string, type: string): Route {
  const body = readFileSync(resolve(import.meta.dirname, 'assets', file));
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
  return {
    method: 'GET',
    pattern,
    access: 'public',
    handle({ req, res }) {
      const headers = { etag, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff', 'content-type': type };
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers);
        res.end();
      } else {
        res.writeHead(200, { ...headers, 'content-length': body.length });
        res.end(body);
      }
      return 'handled';
    },
  };
}
