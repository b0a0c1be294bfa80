import type { ServerResponse } from 'node:http';
import type { MemberResult } from '../accounts/member-service.ts';
import { isRole } from '../accounts/roles.ts';
import type { Route } from '../http/router.ts';
import type { DashboardDeps } from './dashboard-deps.ts';
import { html } from './html.ts';
import { errorPage } from './pages/error-page.ts';
import { teamPage, ROLE_LABELS, type TeamPageOptions } from './pages/team-page.ts';
import {
  pageRoute,
  readCheckedForm,
  redirect,
  ROLE_REFUSAL,
  sendHtml,
  viewerOf,
  type UserPrincipal,
} from './page-kit.ts';

const notice = (text: string) => html`<p class="alert alert-success" role="status">${text}</p>`;

const INVITE_ERRORS = {
  forbidden: `${ROLE_REFUSAL}.`,
  owners_only: 'Only an owner can invite an owner.',
  invalid_email: 'Enter an email address, such as dev@example.com.',
  already_member: 'There is already a login with this email.',
} as const;

const MEMBER_ERRORS: Record<Exclude<MemberResult, { ok: true }>['reason'], string> = {
  forbidden: `${ROLE_REFUSAL}.`,
  owners_only: 'Only an owner can change or remove an owner, or make someone owner.',
  not_found: 'That member is not in this account any more, or their role changed meanwhile. Reload and try again.',
  last_owner: 'An account keeps at least one owner: make someone else owner first.',
};

/** Team: members, their roles, invitations. Every form is checked against the actor's role again here. */
export function teamRoutes(deps: DashboardDeps): Route[] {
  const { members, invitations } = deps;
  const show = async (res: ServerResponse, status: number, user: UserPrincipal, extra: Partial<TeamPageOptions> = {}) =>
    sendHtml(
      res,
      status,
      teamPage({
        viewer: viewerOf(user),
        userId: user.userId,
        members: await members.list(user.accountId),
        invitations: await invitations.pending(user.accountId),
        now: deps.clock.now(),
        ...extra,
      }),
    );
  const refused = (res: ServerResponse, user: UserPrincipal, status: number, message: string) =>
    sendHtml(res, status, errorPage({ title: 'Not changed', message, viewer: viewerOf(user), back: '/team' }));
  const memberOutcome = (res: ServerResponse, user: UserPrincipal, result: MemberResult, done: string) => {
    if (result.ok) return redirect(res, `/team?done=${done}`);
    const status = result.reason === 'not_found' ? 404 : result.reason === 'last_owner' ? 409 : 403;
    return refused(res, user, status, MEMBER_ERRORS[result.reason]);
  };

  return [
    pageRoute(deps, { method: 'GET', pattern: '/team', permission: 'members.read' }, ({ res, url }, user) => {
      const done = url.searchParams.get('done');
      const text = DONE[done ?? ''];
      return show(res, 200, user, text === undefined ? {} : { notice: notice(text) });
    }),
    pageRoute(
      deps,
      { method: 'POST', pattern: '/team/invitations', permission: 'members.write' },
      async ({ req, res }, user) => {
        const form = await readCheckedForm(req, res, user);
        if (form === undefined) return 'handled';
        const email = (form.get('email') ?? '').slice(0, 300);
        const role = form.get('role');
        const values = { email, role: role ?? undefined };
        if (!isRole(role)) return show(res, 400, user, { error: 'Choose a role.', values });
        const result = await invitations.invite(user, email, role, deps.origin.address(req));
        if (!result.ok) {
          const status = result.reason === 'forbidden' || result.reason === 'owners_only' ? 403 : 400;
          return show(res, status, user, { error: INVITE_ERRORS[result.reason], values });
        }
        const link = `${deps.publicUrl()}/invite/${result.token}`;
        return show(res, 200, user, { invited: { link, invitation: result.invitation } });
      },
    ),
    pageRoute(
      deps,
      { method: 'POST', pattern: '/team/invitations/:id/withdraw', permission: 'members.write' },
      async ({ req, res, params }, user) => {
        const form = await readCheckedForm(req, res, user);
        if (form === undefined) return 'handled';
        const result = await invitations.withdraw(user, params.id ?? '', deps.origin.address(req));
        if (result === undefined) return refused(res, user, 404, 'There is no such pending invitation.');
        if (typeof result === 'string') return refused(res, user, 403, INVITE_ERRORS[result]);
        return redirect(res, '/team?done=withdrawn');
      },
    ),
    pageRoute(
      deps,
      { method: 'POST', pattern: '/team/members/:id/role', permission: 'members.write' },
      async ({ req, res, params }, user) => {
        const form = await readCheckedForm(req, res, user);
        if (form === undefined) return 'handled';
        const role = form.get('role');
        if (!isRole(role)) return refused(res, user, 400, `Choose one of ${Object.values(ROLE_LABELS).join(', ')}.`);
        const result = await members.changeRole(user, params.id ?? '', role, deps.origin.address(req));
        return memberOutcome(res, user, result, 'role');
      },
    ),
    pageRoute(
      deps,
      { method: 'POST', pattern: '/team/members/:id/remove', permission: 'members.write' },
      async ({ req, res, params }, user) => {
        const form = await readCheckedForm(req, res, user);
        if (form === undefined) return 'handled';
        const result = await members.remove(user, params.id ?? '', deps.origin.address(req));
        // Removing oneself ends one's own session too: the login page is what is left.
        if (result.ok && result.member.id === user.userId) return redirect(res, '/login');
        return memberOutcome(res, user, result, 'removed');
      },
    ),
  ];
}

const DONE: Record<string, string> = {
  role: 'Role changed.',
  removed: 'Member removed. Their sessions have ended.',
  withdrawn: 'Invitation withdrawn. Its link no longer works.',
};
