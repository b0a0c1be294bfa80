import type { InvitationRecord } from '../../accounts/account-store.ts';
import { MIN_PASSWORD_LENGTH } from '../../accounts/member-rules.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout } from '../layout.ts';
import { ROLE_LABELS } from './team-page.ts';

/** What `/invite/<token>` shows before there is a session: set a password (twice) to join. */
export function invitePage(options: { token: string; invitation: InvitationRecord; error?: string }): SafeHtml {
  const { invitation } = options;
  const body = html`<div class="login">
  <div class="login-brand"><span class="brand-mark" aria-hidden="true">R</span>RouteMCP</div>
  <section class="card login-card" aria-labelledby="invite-title">
    <h1 id="invite-title">Join the team</h1>
    <p class="subtle">${invitation.invitedBy} invited <strong>${invitation.email}</strong> as <strong>${ROLE_LABELS[invitation.role]}</strong>. Choose a password to finish.</p>
    ${options.error === undefined ? '' : html`<p class="alert alert-error" role="alert">${options.error}</p>`}
    <form method="post" action="/invite/${options.token}" class="stack">
      <input type="text" name="username" autocomplete="username" value="${invitation.email}" hidden>
      <div class="field">
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="new-password" required minlength="${MIN_PASSWORD_LENGTH}" autofocus aria-describedby="password-hint">
        <p id="password-hint" class="field-hint">At least ${MIN_PASSWORD_LENGTH} characters.</p>
      </div>
      <div class="field">
        <label for="repeat">Repeat password</label>
        <input id="repeat" name="repeat" type="password" autocomplete="new-password" required minlength="${MIN_PASSWORD_LENGTH}">
      </div>
      <button type="submit" class="btn btn-primary btn-block">Join and log in</button>
    </form>
  </section>
</div>`;
  return layout({ title: 'Join the team', body });
}

export const INVITATION_PROBLEMS = {
  unknown: 'This invitation link is not valid. Ask whoever invited you for a new one.',
  used: 'This invitation has already been used. Log in instead, or ask for a new invitation.',
  withdrawn: 'This invitation was withdrawn. Ask whoever invited you for a new one.',
  expired: 'This invitation has expired (they last 72 hours). Ask whoever invited you for a new one.',
  email_taken: 'There is already a login with this email. Log in instead.',
} as const;
