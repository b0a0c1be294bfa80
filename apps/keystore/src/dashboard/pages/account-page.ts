import type { SessionRecord } from '../../accounts/account-store.ts';
import { MIN_PASSWORD_LENGTH } from '../../accounts/member-rules.ts';
import { timeTag } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField, layout, type Viewer } from '../layout.ts';
import { ROLE_LABELS } from './team-page.ts';

export interface AccountPageOptions {
  viewer: Viewer;
  /** The hash of the session showing this page, to mark it; never rendered. */
  currentSession: string;
  sessions: readonly SessionRecord[];
  now: number;
  notice?: SafeHtml;
  passwordError?: string;
}

function sessionRow(options: AccountPageOptions, session: SessionRecord): SafeHtml {
  const current = session.idHash === options.currentSession;
  return html`<tr${current ? html` class="row-current"` : ''}>
  <td>${timeTag(session.createdAt, options.now)}${current ? html` <span class="badge badge-you">this session</span>` : ''}</td>
  <td>${timeTag(session.lastSeenAt, options.now)}</td>
  <td>${timeTag(session.expiresAt, options.now)}</td>
</tr>`;
}

/** One's own account: the password and the sessions it has open. */
export function accountPage(options: AccountPageOptions): SafeHtml {
  const { viewer } = options;
  const others = options.sessions.filter((s) => s.idHash !== options.currentSession).length;
  const body = html`<div class="page narrow">
  <div class="page-head"><div><h1>Account</h1><p class="lede">${viewer.email} · ${ROLE_LABELS[viewer.role]}</p></div></div>
  ${options.notice ?? ''}
  <section class="card stack" aria-labelledby="password-title">
    <h2 id="password-title">Change password</h2>
    ${options.passwordError === undefined ? '' : html`<p class="alert alert-error" role="alert">${options.passwordError}</p>`}
    <form method="post" action="/account/password" class="stack">
      ${csrfField(viewer)}
      <input type="text" name="username" autocomplete="username" value="${viewer.email}" hidden>
      <div class="field">
        <label for="current-password">Current password</label>
        <input id="current-password" name="current" type="password" autocomplete="current-password" required>
      </div>
      <div class="field">
        <label for="new-password">New password</label>
        <input id="new-password" name="password" type="password" autocomplete="new-password" required minlength="${MIN_PASSWORD_LENGTH}" aria-describedby="new-password-hint">
        <p id="new-password-hint" class="field-hint">At least ${MIN_PASSWORD_LENGTH} characters. Your other sessions are logged out.</p>
      </div>
      <div class="form-actions"><button type="submit" class="btn btn-primary">Change password</button></div>
    </form>
  </section>
  <section class="card stack" aria-labelledby="sessions-title">
    <h2 id="sessions-title">Sessions</h2>
    <p class="subtle">Where you are logged in. A session ends when you log out, when its lifetime is over, or when it has not been used for a while.</p>
    <div class="table-card"><table class="sessions">
      <caption class="visually-hidden">Your sessions</caption>
      <thead><tr><th scope="col">Started</th><th scope="col">Last active</th><th scope="col">Ends</th></tr></thead>
      <tbody>${options.sessions.map((s) => sessionRow(options, s))}</tbody>
    </table></div>
    <form method="post" action="/account/sessions/end" class="form-actions">
      ${csrfField(viewer)}
      <button type="submit" class="btn btn-danger-quiet" ${others === 0 ? html`disabled` : ''}>Log out everywhere else</button>
    </form>
  </section>
</div>`;
  return layout({ title: 'Account', viewer, section: 'account', body });
}
