import { ROLES, type Role } from '../../accounts/roles.ts';
import type { ManagementTokenRecord } from '../../tokens/management-token.ts';
import { timeTag } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField, layout, type Viewer } from '../layout.ts';

export const ROLE_LABEL: Record<Role, string> = {
  owner: 'Owner',
  admin: 'Admin',
  developer: 'Developer',
  viewer: 'Viewer',
};

export interface TokensPageOptions {
  viewer: Viewer;
  tokens: readonly ManagementTokenRecord[];
  now: number;
  /** The roles this viewer may mint; empty: no form and no Revoke (the role lacks `tokens.write`). */
  mintable: readonly Role[];
  values?: { name?: string; role?: string };
  error?: string;
  notice?: string;
}

function row(token: ManagementTokenRecord, now: number, canRevoke: boolean): SafeHtml {
  const active = token.revokedAt === null;
  return html`<tr data-token-id="${token.id}" class="${active ? '' : 'row-inactive'}">
  <td><strong>${token.name}</strong></td>
  <td>${ROLE_LABEL[token.role]}</td>
  <td>${token.createdBy}</td>
  <td>${timeTag(token.createdAt, now)}</td>
  <td>${timeTag(token.lastUsedAt, now)}</td>
  <td>${
    active
      ? html`<span class="status status-active"><span class="dot" aria-hidden="true"></span>Active</span>`
      : html`<span class="status status-revoked"><span class="dot" aria-hidden="true"></span>Revoked</span>`
  }</td>
  <td class="actions">${
    active && canRevoke
      ? html`<a class="btn btn-small btn-danger-quiet" href="/tokens/${token.id}/revoke" aria-label="Revoke ${token.name}">Revoke</a>`
      : ''
  }</td>
</tr>`;
}

function createForm(options: TokensPageOptions): SafeHtml {
  const chosen = options.values?.role ?? 'viewer';
  const roles = ROLES.filter((role) => options.mintable.includes(role)).map(
    (role) => html`<option value="${role}" ${chosen === role ? 'selected' : ''}>${ROLE_LABEL[role]}</option>`,
  );
  return html`<form method="post" action="/tokens" class="card stack" aria-labelledby="create-token">
  <h2 id="create-token">Create API token</h2>
  ${options.error === undefined ? '' : html`<p class="alert alert-error" role="alert">${options.error}</p>`}
  ${csrfField(options.viewer)}
  <div class="row">
    <div class="field"><label for="token-name">Name</label><input id="token-name" name="name" maxlength="100" required value="${options.values?.name ?? ''}" placeholder="e.g. ci-deploy"></div>
    <div class="field"><label for="token-role">Role</label><select id="token-role" name="role">${roles}</select></div>
  </div>
  <div class="form-actions"><button type="submit" class="btn btn-primary">Create token</button></div>
</form>`;
}

/** API tokens: named management tokens of this account, for automation; never the tokens themselves. */
export function tokensPage(options: TokensPageOptions): SafeHtml {
  const { viewer, tokens, now } = options;
  const canWrite = options.mintable.length > 0;
  const table =
    tokens.length === 0
      ? html`<div class="empty card"><h2>No API tokens yet</h2><p>A token lets a script or CI job call the management API with a role of its own, so that it does not need a person's login or the operator's token.</p></div>`
      : html`<div class="card table-card"><table class="tokens">
  <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Created by</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>${tokens.map((t) => row(t, now, canWrite))}</tbody>
</table></div>`;
  const body = html`<div class="page">
  <div class="page-head">
    <div>
      <h1>API tokens</h1>
      <p class="lede">For automation that manages keys: send one to the management API as <code>Authorization: Bearer rmk_…</code></p>
    </div>
  </div>
  ${options.notice === undefined ? '' : html`<p class="alert alert-success" role="status">${options.notice}</p>`}
  ${canWrite ? createForm(options) : ''}
  ${table}
</div>`;
  return layout({ title: 'API tokens', viewer, section: 'tokens', body });
}
