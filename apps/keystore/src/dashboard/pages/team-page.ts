import type { InvitationRecord, UserRecord } from '../../accounts/account-store.ts';
import { mayAssign } from '../../accounts/member-rules.ts';
import { can, ROLES, type Role } from '../../accounts/roles.ts';
import { timeTag } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField, layout, type Viewer } from '../layout.ts';

export const ROLE_LABELS: Record<Role, string> = {
  owner: 'Owner',
  admin: 'Admin',
  developer: 'Developer',
  viewer: 'Viewer',
};

const ROLE_HINTS: Record<Role, string> = {
  owner: 'everything, including the team and who is owner',
  admin: 'keys and members, except owners',
  developer: 'generate, update, roll and revoke keys',
  viewer: 'reads keys, usage and the audit log',
};

export interface TeamPageOptions {
  viewer: Viewer;
  /** The signed-in member's id: its own row says "you". */
  userId: string;
  members: readonly UserRecord[];
  invitations: readonly InvitationRecord[];
  now: number;
  /** The invitation link, on the answer to the invite form only. */
  invited?: { link: string; invitation: InvitationRecord };
  notice?: SafeHtml;
  error?: string;
  values?: { email?: string; role?: string };
}

/** The roles `actor` may hand out: an admin cannot make an owner. */
const assignable = (actor: Role) => ROLES.filter((role) => mayAssign(actor, { to: role }) === undefined);

function roleOptions(roles: readonly Role[], selected: string | undefined): SafeHtml[] {
  return roles.map(
    (role) => html`<option value="${role}" ${role === selected ? html`selected` : ''}>${ROLE_LABELS[role]}</option>`,
  );
}

function memberRow(options: TeamPageOptions, member: UserRecord): SafeHtml {
  const { viewer, now } = options;
  const you = member.id === options.userId;
  const manageable = mayAssign(viewer.role, { from: member.role }) === undefined;
  const roles = assignable(viewer.role);
  const actions = manageable
    ? html`<form method="post" action="/team/members/${member.id}/role" class="inline-form">
    ${csrfField(viewer)}
    <label class="visually-hidden" for="role-${member.id}">Role of ${member.email}</label>
    <select id="role-${member.id}" name="role" class="select-small">${roleOptions(roles, member.role)}</select>
    <button type="submit" class="btn btn-small btn-secondary" aria-label="Change role of ${member.email}">Change role</button>
  </form>
  <form method="post" action="/team/members/${member.id}/remove" class="inline-form">
    ${csrfField(viewer)}
    <button type="submit" class="btn btn-small btn-danger-quiet" aria-label="Remove ${member.email}">Remove</button>
  </form>`
    : '';
  return html`<tr data-member-id="${member.id}">
  <td><span class="member-email">${member.email}</span>${you ? html` <span class="badge badge-you">you</span>` : ''}</td>
  <td><span class="role role-${member.role}">${ROLE_LABELS[member.role]}</span></td>
  <td>${timeTag(member.lastLoginAt, now)}</td>
  <td>${timeTag(member.createdAt, now)}</td>
  <td class="actions">${actions}</td>
</tr>`;
}

function invitationRow(options: TeamPageOptions, invitation: InvitationRecord): SafeHtml {
  const { viewer, now } = options;
  const withdrawable = mayAssign(viewer.role, { to: invitation.role }) === undefined;
  return html`<tr>
  <td>${invitation.email}</td>
  <td><span class="role role-${invitation.role}">${ROLE_LABELS[invitation.role]}</span></td>
  <td>${invitation.invitedBy}</td>
  <td>${timeTag(invitation.expiresAt, now)}</td>
  <td class="actions">${
    withdrawable
      ? html`<form method="post" action="/team/invitations/${invitation.id}/withdraw" class="inline-form">${csrfField(viewer)}<button type="submit" class="btn btn-small btn-danger-quiet" aria-label="Withdraw the invitation of ${invitation.email}">Withdraw</button></form>`
      : ''
  }</td>
</tr>`;
}

function inviteForm(options: TeamPageOptions): SafeHtml {
  const { viewer, values } = options;
  return html`<section class="card stack" aria-labelledby="invite-title">
  <h2 id="invite-title">Invite member</h2>
  ${options.error === undefined ? '' : html`<p class="alert alert-error" role="alert">${options.error}</p>`}
  <form method="post" action="/team/invitations" class="invite-form">
    ${csrfField(viewer)}
    <div class="field">
      <label for="invite-email">Email</label>
      <input id="invite-email" name="email" type="email" autocomplete="off" required value="${values?.email ?? ''}">
    </div>
    <div class="field">
      <label for="invite-role">Role</label>
      <select id="invite-role" name="role">${roleOptions(assignable(viewer.role), values?.role ?? 'developer')}</select>
    </div>
    <div class="field field-submit"><button type="submit" class="btn btn-primary">Invite member</button></div>
  </form>
  <p class="field-hint">The invitation is a link you pass on yourself; it works once and expires after 72 hours. ${ROLES.map((r) => html`<strong>${ROLE_LABELS[r]}</strong>: ${ROLE_HINTS[r]}. `)}</p>
</section>`;
}

function invitedNotice(invited: NonNullable<TeamPageOptions['invited']>): SafeHtml {
  return html`<section class="card stack reveal" aria-labelledby="invited-title">
  <h2 id="invited-title">Invitation for ${invited.invitation.email}</h2>
  <div class="secret-row">
    <code id="invite-link" class="secret" tabindex="0">${invited.link}</code>
    <button type="button" class="btn btn-primary" data-copy="invite-link" aria-describedby="copy-status">Copy</button>
  </div>
  <p id="copy-status" class="copy-status" role="status" aria-live="polite"></p>
  <div class="alert alert-warning" role="note"><strong>This link will not be shown again.</strong> Send it to ${invited.invitation.email} yourself. Whoever opens it joins as ${ROLE_LABELS[invited.invitation.role]}; it works once and expires after 72 hours.</div>
</section>`;
}

export function teamPage(options: TeamPageOptions): SafeHtml {
  const { viewer } = options;
  const writer = can(viewer.role, 'members.write');
  const body = html`<div class="page" ${options.invited === undefined ? '' : html`data-replace-url="/team"`}>
  <div class="page-head"><div><h1>Team</h1><p class="lede">Who can use this dashboard and the management API, and what their role allows.</p></div></div>
  ${options.notice ?? ''}
  ${options.invited === undefined ? '' : invitedNotice(options.invited)}
  <div class="card table-card"><table class="members">
  <caption class="visually-hidden">Members of this account</caption>
  <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Last login</th><th scope="col">Joined</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>${options.members.map((m) => memberRow(options, m))}</tbody>
</table></div>
  ${writer ? inviteForm(options) : ''}
  ${
    options.invitations.length === 0
      ? ''
      : html`<h2 class="section-title">Pending invitations</h2><div class="card table-card"><table class="invitations">
  <caption class="visually-hidden">Pending invitations</caption>
  <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Invited by</th><th scope="col">Expires</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>${options.invitations.map((i) => invitationRow(options, i))}</tbody>
</table></div>`
  }
</div>`;
  return layout({ title: 'Team', viewer, section: 'team', body });
}
