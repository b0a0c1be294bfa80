import type { IncomingMessage, ServerResponse } from 'node:http';
import { CSRF_FIELD, sameOrigin, tokensMatch } from '../http/csrf.ts';
import type { Permission } from '../accounts/roles.ts';
import { principalCan, type Principal } from '../http/principal.ts';
import { readForm } from '../http/read-form.ts';
import type { Route, RouteContext } from '../http/router.ts';
import { sessionPrincipal } from '../http/session-resolver.ts';
import type { DashboardDeps } from './dashboard-deps.ts';
import type { SafeHtml } from './html.ts';
import type { Viewer } from './layout.ts';
import { errorPage } from './pages/error-page.ts';

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;

// Everything is served by this keystore; inline SVG is markup, so no 'unsafe-inline' is needed anywhere.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  // Pages show a user's keys and tokens: never cached, not even the list.
  'cache-control': 'no-store',
};

export function sendHtml(
  res: ServerResponse,
  status: number,
  page: SafeHtml,
  headers: Record<string, string | string[]> = {},
): 'handled' {
  const body = page.markup;
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...headers,
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
  return 'handled';
}

/** 303: after a POST the browser follows with a GET. */
export function redirect(
  res: ServerResponse,
  location: string,
  headers: Record<string, string | string[]> = {},
): 'handled' {
  res.writeHead(303, { ...SECURITY_HEADERS, ...headers, location, 'content-length': 0 });
  res.end();
  return 'handled';
}

export const viewerOf = (principal: UserPrincipal): Viewer => ({
  email: principal.email,
  csrfToken: principal.csrfToken,
  role: principal.role,
});

/** Refused by role: the same words as the management API's 403. */
export const ROLE_REFUSAL = 'Your role does not allow this';

/**
 * The session's user, or a redirect to the login page; with `permission`,
 * a user whose role lacks it gets a 403 page (then undefined: the route is
 * done). The role is checked here, on the server: a hidden button is never
 * the only guard.
 */
export async function requireUser(
  deps: DashboardDeps,
  req: IncomingMessage,
  res: ServerResponse,
  permission?: Permission,
): Promise<UserPrincipal | undefined> {
  const principal = await sessionPrincipal(deps.sessions, req);
  // An unread POST body would be parsed as the next request on this connection.
  const unread: Record<string, string> = req.method === 'GET' || req.method === 'HEAD' ? {} : { connection: 'close' };
  if (principal?.kind !== 'user') {
    redirect(res, '/login', unread);
    return undefined;
  }
  if (permission === undefined || principalCan(principal, permission)) return principal;
  const page = errorPage({ title: 'Not allowed', message: `${ROLE_REFUSAL}.`, viewer: viewerOf(principal) });
  sendHtml(res, 403, page, unread);
  return undefined;
}

/**
 * A dashboard page or form: `public` to the router (it answers a login
 * redirect, not a 401), with the permission it needs on the route itself, so
 * the role × route matrix test reads it from the route table; undefined:
 * any signed-in member (their own account page).
 */
export function pageRoute(
  deps: DashboardDeps,
  spec: { method: string; pattern: string; permission: Permission | undefined },
  run: (ctx: RouteContext, user: UserPrincipal) => 'handled' | Promise<'handled'>,
): Route {
  return {
    method: spec.method,
    pattern: spec.pattern,
    access: 'public',
    ...(spec.permission === undefined ? {} : { permission: spec.permission }),
    async handle(ctx) {
      const user = await requireUser(deps, ctx.req, ctx.res, spec.permission);
      return user === undefined ? 'handled' : run(ctx, user);
    },
  };
}

/**
 * Reads a dashboard form and checks its CSRF token against the session and
 * its Origin against this host; a refused form gets a 403 page and undefined.
 */
export async function readCheckedForm(
  req: IncomingMessage,
  res: ServerResponse,
  principal: UserPrincipal,
): Promise<URLSearchParams | undefined> {
  const form = await readForm(req);
  if (sameOrigin(req) && tokensMatch(form.get(CSRF_FIELD) ?? undefined, principal.csrfToken)) return form;
  sendHtml(
    res,
    403,
    errorPage({
      title: 'This form has expired',
      message:
        'The page was open too long, or the request did not come from this dashboard. Reload the page and try again.',
      viewer: viewerOf(principal),
    }),
  );
  return undefined;
}
