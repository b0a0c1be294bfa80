import type { AuditAction, AuditEntry } from '../../accounts/account-store.ts';
import type { AuditPage } from '../../audit/audit-pages.ts';
import { formatTime } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, type Viewer } from '../layout.ts';

const ACTIONS: Record<AuditAction, string> = {
  'key.created': 'Created key',
  'key.updated': 'Edited key',
  'key.revoked': 'Revoked key',
  'key.rolled': 'Rolled key',
  'key.leaked': 'Key reported leaked',
  login: 'Logged in',
  'login.failed': 'Failed login',
  'login.locked': 'Login locked out',
  'login.sso': 'Logged in with SSO',
  'login.sso.failed': 'Failed SSO login',
  logout: 'Logged out',
  'invitation.created': 'Invited member',
  'invitation.withdrawn': 'Withdrew invitation',
  'invitation.accepted': 'Joined the team',
  'member.role_changed': 'Changed role',
  'member.removed': 'Removed member',
  'password.changed': 'Changed password',
  'sessions.ended': 'Logged out everywhere',
  'webhook.created': 'Added webhook',
  'webhook.updated': 'Edited webhook',
  'webhook.deleted': 'Deleted webhook',
  'webhook.secret_rotated': 'Rotated webhook secret',
  'webhook.delivery_retried': 'Retried webhook delivery',
  'webhook.disabled': 'Webhook disabled after failing',
  'token.created': 'Created API token',
  'token.revoked': 'Revoked API token',
};

const labelOf = (action: string): string => (ACTIONS as Record<string, string | undefined>)[action] ?? action;

/** What the page is filtered by, as typed (shown again in the form and kept in the paging links). */
export interface AuditPageFilter {
  actor?: string;
  action?: string;
}

export interface AuditPageOptions {
  viewer: Viewer;
  page: AuditPage;
  filter: AuditPageFilter;
  /** Key id → hint, for this account's keys. */
  hints: ReadonlyMap<string, string>;
  /** A filter that was refused: the page shows it and no entries. */
  error?: string;
}

function link(filter: AuditPageFilter, cursor: { older: string } | { newer: string }): string {
  const query = new URLSearchParams();
  if (filter.actor) query.set('actor', filter.actor);
  if (filter.action) query.set('action', filter.action);
  for (const [name, value] of Object.entries(cursor)) query.set(name, value);
  return `/audit?${query}`;
}

function target(entry: AuditEntry, hints: ReadonlyMap<string, string>): SafeHtml {
  if (entry.target === null) return html`<span class="muted">—</span>`;
  const hint = hints.get(entry.target);
  return hint === undefined
    ? html`<code class="hint">${entry.target}</code>`
    : html`<a href="/keys/${entry.target}"><code class="hint">${hint}</code></a>`;
}

function filters(filter: AuditPageFilter): SafeHtml {
  const options = Object.entries(ACTIONS).map(
    ([value, label]) => html`<option value="${value}" ${filter.action === value ? 'selected' : ''}>${label}</option>`,
  );
  return html`<form method="get" action="/audit" class="card audit-filters" role="search" aria-label="Filter the audit log">
  <div class="field"><label for="actor">Actor</label><input id="actor" name="actor" type="text" value="${filter.actor ?? ''}" placeholder="Email, operator or cli"></div>
  <div class="field"><label for="action">Action</label><select id="action" name="action"><option value="">All actions</option>${options}</select></div>
  <div class="audit-filter-buttons"><button type="submit" class="btn btn-secondary">Filter</button><a class="btn btn-quiet" href="/audit">Clear</a></div>
</form>`;
}

function pager(page: AuditPage, filter: AuditPageFilter): SafeHtml | '' {
  if (page.newerCursor === null && page.olderCursor === null) return '';
  const newer = page.newerCursor;
  const older = page.olderCursor;
  return html`<nav class="pager" aria-label="Audit log pages">
  ${newer === null ? html`<span class="btn btn-quiet" aria-disabled="true">← Newer</span>` : html`<a class="btn btn-secondary" rel="prev" href="${link(filter, { newer })}">← Newer</a>`}
  ${older === null ? html`<span class="btn btn-quiet" aria-disabled="true">Older →</span>` : html`<a class="btn btn-secondary" rel="next" href="${link(filter, { older })}">Older →</a>`}
</nav>`;
}

export function auditPage(options: AuditPageOptions): SafeHtml {
  const { page, filter } = options;
  const rows = page.entries.map(
    (e) => html`<tr>
  <td>${e.actor}</td>
  <td><span class="action action-${e.action.replaceAll('.', '-')}">${labelOf(e.action)}</span></td>
  <td>${target(e, options.hints)}</td>
  <td><code class="address">${e.address ?? '—'}</code></td>
  <td><time datetime="${new Date(e.at).toISOString()}">${formatTime(e.at)}</time></td>
</tr>`,
  );
  const filtered = Boolean(filter.actor) || Boolean(filter.action);
  const body = html`<div class="page">
  <div class="page-head"><div><h1>Audit log</h1><p class="lede">Key and team changes and sign-ins for this account, newest first.</p></div></div>
  ${filters(filter)}
  ${options.error === undefined ? '' : html`<p class="alert alert-error" role="alert">${options.error}</p>`}
  ${
    page.entries.length === 0
      ? html`<div class="empty card"><p>${filtered ? 'No entries match these filters.' : 'Nothing has happened yet.'}</p></div>`
      : html`<div class="card table-card"><table class="audit">
  <caption class="visually-hidden">Audit log</caption>
  <thead><tr><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Address</th><th scope="col">Time</th></tr></thead>
  <tbody>${rows}</tbody></table></div>`
  }
  ${pager(page, filter)}
</div>`;
  return layout({ title: 'Audit log', viewer: options.viewer, section: 'audit', body });
}
