import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { errorCatalog, writeError } from '@routemcp/errors';
import { readCookies, serializeCookie } from '../http/cookies.ts';
import { CSRF_FIELD, sameOrigin, tokensMatch } from '../http/csrf.ts';
import { readForm } from '../http/read-form.ts';
import type { Route } from '../http/router.ts';
import { SESSION_COOKIE, sessionPrincipal } from '../http/session-resolver.ts';
import type { DashboardDeps } from './dashboard-deps.ts';
import { loginPage, type LoginPageOptions } from './pages/login-page.ts';
import { readCheckedForm, redirect, requireUser, sendHtml } from './page-kit.ts';

type LoginErrorCode = 'FORBIDDEN' | 'UNAUTHORIZED' | 'RATE_LIMITED';

/** Asked for JSON and not for HTML: a script, not the browser that submitted the form. */
function prefersJson(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

/** Before there is a session, the login form is bound to this cookie instead (double submit). */
const LOGIN_COOKIE = 'routemcp_login';
const LOGIN_COOKIE_SECONDS = 3600;

export function authRoutes(deps: DashboardDeps): Route[] {
  const secure = (req: IncomingMessage) => deps.origin.secure(req);
  const freshLoginToken = () => randomBytes(24).toString('base64url');
  const loginCookie = (req: IncomingMessage, token: string) =>
    serializeCookie(LOGIN_COOKIE, token, { secure: secure(req), maxAge: LOGIN_COOKIE_SECONDS });
  const passwordLogin = deps.passwordLogin ?? true;
  const loginForm = (options: LoginPageOptions) =>
    loginPage({ ...options, sso: deps.sso !== undefined, passwordLogin });

  return [
    {
      method: 'GET',
      pattern: '/',
      access: 'public',
      handle: ({ res }) => redirect(res, '/keys'),
    },
    {
      method: 'GET',
      pattern: '/login',
      access: 'public',
      async handle({ req, res }) {
        if ((await sessionPrincipal(deps.sessions, req)) !== undefined) return redirect(res, '/keys');
        const token = readCookies(req).get(LOGIN_COOKIE) ?? freshLoginToken();
        return sendHtml(res, 200, loginForm({ loginToken: token }), { 'set-cookie': loginCookie(req, token) });
      },
    },
    {
      method: 'POST',
      pattern: '/login',
      access: 'public',
      async handle({ req, res }) {
        const form = await readForm(req);
        const email = (form.get('email') ?? '').slice(0, 254);
        const password = (form.get('password') ?? '').slice(0, 1024);
        const cookieToken = readCookies(req).get(LOGIN_COOKIE);
        // The form again with the reason on it; a script that asked for JSON gets the envelope instead.
        const retry = (code: LoginErrorCode, error: string, headers: Record<string, string> = {}) => {
          if (prefersJson(req)) {
            writeError(res, code, { message: error, headers });
            return 'handled';
          }
          const token = freshLoginToken();
          return sendHtml(res, errorCatalog[code].statusCode, loginForm({ loginToken: token, email, error }), {
            ...headers,
            'set-cookie': loginCookie(req, token),
          });
        };
        if (
          !sameOrigin(req) ||
          cookieToken === undefined ||
          !tokensMatch(form.get(CSRF_FIELD) ?? undefined, cookieToken)
        ) {
          return retry('FORBIDDEN', 'This login form has expired. Please try again.');
        }
        // SSO only: a password must not get around the provider (and its second factor).
        if (!passwordLogin) return retry('FORBIDDEN', 'Password login is off here. Sign in with SSO.');
        const result = await deps.login.login(email, password, deps.origin.address(req));
        if (!result.ok) {
          if (result.reason === 'invalid') return retry('UNAUTHORIZED', 'Email or password is incorrect.');
          const retryAfter = { 'retry-after': String(Math.max(1, Math.ceil(result.retryAfterMs / 1000))) };
          if (result.reason === 'busy') {
            return retry(
              'RATE_LIMITED',
              'The server is busy checking other logins. Try again in a moment.',
              retryAfter,
            );
          }
          const minutes = Math.max(1, Math.ceil(result.retryAfterMs / 60_000));
          const wait = `${minutes} minute${minutes === 1 ? '' : 's'}`;
          return retry('RATE_LIMITED', `Too many failed attempts. Try again in ${wait}.`, retryAfter);
        }
        const maxAge = (result.session.expiresAt - deps.clock.now()) / 1000;
        return redirect(res, '/keys', {
          'set-cookie': [
            serializeCookie(SESSION_COOKIE, result.token, { secure: secure(req), maxAge }),
            serializeCookie(LOGIN_COOKIE, '', { secure: secure(req), maxAge: 0 }),
          ],
        });
      },
    },
    {
      method: 'POST',
      pattern: '/logout',
      access: 'public',
      async handle({ req, res }) {
        const user = await requireUser(deps, req, res);
        if (user === undefined) return 'handled';
        if ((await readCheckedForm(req, res, user)) === undefined) return 'handled';
        await deps.sessions.end(user.sessionIdHash);
        await deps.accounts.appendAudit({
          accountId: user.accountId,
          actor: user.email,
          action: 'logout',
          target: null,
          address: deps.origin.address(req),
          at: deps.clock.now(),
        });
        return redirect(res, '/login', {
          'set-cookie': serializeCookie(SESSION_COOKIE, '', { secure: secure(req), maxAge: 0 }),
        });
      },
    },
  ];
}
