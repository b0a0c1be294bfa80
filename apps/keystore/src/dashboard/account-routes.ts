import type { ServerResponse } from 'node:http';
import type { Route } from '../http/router.ts';
import type { DashboardDeps } from './dashboard-deps.ts';
import { html } from './html.ts';
import { accountPage, type AccountPageOptions } from './pages/account-page.ts';
import { pageRoute, readCheckedForm, redirect, sendHtml, viewerOf, type UserPrincipal } from './page-kit.ts';

const ended = (n: number) => `${n} other session${n === 1 ? ' was' : 's were'} logged out.`;

/** Account: one's own password and sessions. Any signed-in member, whatever the role, for itself only. */
export function accountRoutes(deps: DashboardDeps): Route[] {
  const show = async (
    res: ServerResponse,
    status: number,
    user: UserPrincipal,
    extra: Partial<AccountPageOptions> = {},
  ) =>
    sendHtml(
      res,
      status,
      accountPage({
        viewer: viewerOf(user),
        currentSession: user.sessionIdHash,
        sessions: await deps.accounts.listSessions(user.userId),
        now: deps.clock.now(),
        ...extra,
      }),
    );
  const success = (text: string) => html`<p class="alert alert-success" role="status">${text}</p>`;

  return [
    pageRoute(deps, { method: 'GET', pattern: '/account', permission: undefined }, ({ res, url }, user) => {
      const n = Number(url.searchParams.get('ended'));
      const notice =
        url.searchParams.get('done') === 'password'
          ? success(`Password changed. ${ended(Number.isInteger(n) ? n : 0)}`)
          : url.searchParams.get('done') === 'sessions' && Number.isInteger(n)
            ? success(ended(n))
            : undefined;
      return show(res, 200, user, notice === undefined ? {} : { notice });
    }),
    pageRoute(
      deps,
      { method: 'POST', pattern: '/account/password', permission: undefined },
      async ({ req, res }, user) => {
        const form = await readCheckedForm(req, res, user);
        if (form === undefined) return 'handled';
        const current = (form.get('current') ?? '').slice(0, 1024);
        const next = form.get('password') ?? '';
        const result = await deps.members.changePassword(user, current, next, deps.origin.address(req));
        if (!result.ok) return show(res, 400, user, { passwordError: result.message });
        return redirect(res, `/account?done=password&ended=${result.ended}`);
      },
    ),
    pageRoute(
      deps,
      { method: 'POST', pattern: '/account/sessions/end', permission: undefined },
      async ({ req, res }, user) => {
        const form = await readCheckedForm(req, res, user);
        if (form === undefined) return 'handled';
        const n = await deps.members.logoutEverywhere(user, deps.origin.address(req));
        return redirect(res, `/account?done=sessions&ended=${n}`);
      },
    ),
  ];
}
