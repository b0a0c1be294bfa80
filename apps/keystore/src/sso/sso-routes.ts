import type { IncomingMessage } from 'node:http';
import { readCookies, serializeCookie } from '../http/cookies.ts';
import type { Route } from '../http/router.ts';
import { SESSION_COOKIE, sessionPrincipal } from '../http/session-resolver.ts';
import type { DashboardDeps } from '../dashboard/dashboard-deps.ts';
import { redirect, sendHtml } from '../dashboard/page-kit.ts';
import { errorPage } from '../dashboard/pages/error-page.ts';
import { ssoSignedInPage } from '../dashboard/pages/sso-pages.ts';
import { FLOW_TTL_MS, type SsoLogin, type SsoRefusal } from './sso-login.ts';

/** The sealed state/nonce/verifier; only ever sent to the two SSO paths. */
export const FLOW_COOKIE = 'routemcp_oidc';
const FLOW_PATH = '/login/oidc';

const REFUSALS: Record<SsoRefusal, { status: number; title: string; message: string }> = {
  unavailable: {
    status: 503,
    title: 'Single sign-on is unavailable',
    message: 'The identity provider cannot be reached right now. Try again in a moment.',
  },
  state: {
    status: 400,
    title: 'This sign-in has expired',
    message:
      'This single sign-on answer does not belong to a sign-in started in this browser, was already used, or came after 10 minutes. Start again from the login page.',
  },
  provider_error: {
    status: 400,
    title: 'Single sign-on was cancelled',
    message: 'The identity provider did not sign you in. Start again from the login page.',
  },
  rejected: {
    status: 400,
    title: 'Single sign-on failed',
    message:
      'The identity provider refused this sign-in: its code was already used or has expired. Start again from the login page.',
  },
  invalid_token: {
    status: 400,
    title: 'Single sign-on failed',
    message: "The identity provider's answer did not pass our checks. Start again from the login page.",
  },
  no_email: {
    status: 403,
    title: 'No email address',
    message: 'The identity provider did not share an email address, which this dashboard needs to know you.',
  },
  unverified_email: {
    status: 403,
    title: 'Email address not verified',
    message:
      'The identity provider has not verified your email address, so it cannot sign you in here. Verify it there, then try again.',
  },
  domain: {
    status: 403,
    title: 'Email domain not allowed',
    message: 'Accounts with this email domain cannot sign in to this dashboard.',
  },
  member_refused: {
    status: 403,
    title: 'Sign-in refused',
    message: 'This email address cannot be signed in to this dashboard.',
  },
};

/** `GET /login/oidc` (off to the provider) and `GET /login/oidc/callback` (back from it). */
export function ssoRoutes(deps: DashboardDeps & { sso: SsoLogin }): Route[] {
  const secure = (req: IncomingMessage) => deps.origin.secure(req);
  // Lax, not Strict: the callback is a top-level navigation from the provider's site.
  const flowCookie = (req: IncomingMessage, value: string, maxAge: number) =>
    serializeCookie(FLOW_COOKIE, value, { secure: secure(req), maxAge, path: FLOW_PATH, sameSite: 'Lax' });
  const refusal = (reason: SsoRefusal) => {
    const { status, title, message } = REFUSALS[reason];
    return { status, page: errorPage({ title, message, back: '/login' }) };
  };

  return [
    {
      method: 'GET',
      pattern: '/login/oidc',
      access: 'public',
      async handle({ req, res }) {
        if ((await sessionPrincipal(deps.sessions, req)) !== undefined) return redirect(res, '/keys');
        const started = await deps.sso.begin();
        if (!started.ok) {
          const { status, page } = refusal(started.reason);
          return sendHtml(res, status, page, { 'retry-after': '5' });
        }
        return redirect(res, started.redirectTo.href, {
          'set-cookie': flowCookie(req, started.flowCookie, FLOW_TTL_MS / 1000),
        });
      },
    },
    {
      method: 'GET',
      pattern: '/login/oidc/callback',
      access: 'public',
      async handle({ req, res, url }) {
        const sealed = readCookies(req).get(FLOW_COOKIE);
        const result = await deps.sso.complete(url.searchParams, sealed, deps.origin.address(req));
        // Whatever happened, this browser's flow is spent.
        const spent = flowCookie(req, '', 0);
        if (!result.ok) {
          const { status, page } = refusal(result.reason);
          return sendHtml(res, status, page, { 'set-cookie': spent });
        }
        const maxAge = (result.session.expiresAt - deps.clock.now()) / 1000;
        return sendHtml(res, 200, ssoSignedInPage(result.email), {
          refresh: '0; url=/keys',
          'set-cookie': [serializeCookie(SESSION_COOKIE, result.token, { secure: secure(req), maxAge }), spent],
        });
      },
    },
  ];
}
