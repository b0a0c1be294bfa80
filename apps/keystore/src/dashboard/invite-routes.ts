import type { IncomingMessage } from 'node:http';
import { serializeCookie } from '../http/cookies.ts';
import { sameOrigin } from '../http/csrf.ts';
import { readForm } from '../http/read-form.ts';
import type { Route } from '../http/router.ts';
import { SESSION_COOKIE } from '../http/session-resolver.ts';
import type { DashboardDeps } from './dashboard-deps.ts';
import { errorPage } from './pages/error-page.ts';
import { INVITATION_PROBLEMS, invitePage } from './pages/invite-page.ts';
import { redirect, sendHtml } from './page-kit.ts';

/**
 * `/invite/<token>`: no session yet, the token in the path is the credential.
 * Its page is `no-store` and sends no Referer off-site (same-origin policy),
 * so the link does not leak from the browser.
 */
export function inviteRoutes(deps: DashboardDeps): Route[] {
  const unusable = (reason: keyof typeof INVITATION_PROBLEMS) =>
    errorPage({ title: 'Invitation cannot be used', message: INVITATION_PROBLEMS[reason], back: '/login' });
  const secure = (req: IncomingMessage) => deps.origin.secure(req);

  return [
    {
      method: 'GET',
      pattern: '/invite/:token',
      access: 'public',
      async handle({ res, params }) {
        const token = params.token ?? '';
        const opened = await deps.invitations.open(token);
        if ('ok' in opened) return sendHtml(res, 410, unusable(opened.reason));
        return sendHtml(res, 200, invitePage({ token, invitation: opened }));
      },
    },
    {
      method: 'POST',
      pattern: '/invite/:token',
      access: 'public',
      async handle({ req, res, params }) {
        const token = params.token ?? '';
        const form = await readForm(req);
        // The token is the secret; Origin keeps another site from joining a visitor with a password it chose.
        if (!sameOrigin(req)) {
          const page = errorPage({ title: 'This form has expired', message: 'Open the invitation link again.' });
          return sendHtml(res, 403, page, { connection: 'close' });
        }
        const password = (form.get('password') ?? '').slice(0, 2048);
        const repeat = (form.get('repeat') ?? '').slice(0, 2048);
        const joined = await deps.invitations.join(token, password, repeat, deps.origin.address(req));
        if (joined.ok) {
          const maxAge = (joined.session.expiresAt - deps.clock.now()) / 1000;
          return redirect(res, '/keys', {
            'set-cookie': serializeCookie(SESSION_COOKIE, joined.token, { secure: secure(req), maxAge }),
          });
        }
        if (joined.reason !== 'password') return sendHtml(res, 410, unusable(joined.reason));
        const opened = await deps.invitations.open(token);
        if ('ok' in opened) return sendHtml(res, 410, unusable(opened.reason));
        return sendHtml(res, 400, invitePage({ token, invitation: opened, error: joined.message }));
      },
    },
  ];
}
