import type { AuditAction, AuditEntry } from '../../accounts/account-store.ts';
import { formatTime } from '../format.ts';
import { html } from '../html.ts';
import { layout, type Viewer } from '../layout.ts';

const ACTIONS: Record<AuditAction, string> = {
  'key.created': 'Created key',
  'key.updated': 'Edited key',
  'key.revoked': 'Revoked key',
  'key.rolled': 'Rolled key',
  login: 'Logged in',
  'login.failed': 'Failed login',
  'login.locked': 'Login locked out',
  logout: 'Logged out',
  'webhook.created': 'Added webhook',
  'webhook.updated': 'Edited webhook',
  'webhook.deleted': 'Deleted webhook',
  'webhook.secret_rotated': 'Rotated webhook secret',
  'webhook.delivery_retried': 'Retried webhook delivery',
  'webhook.disabled': 'Webhook disabled after failing',
};

export function auditPage(options: {
  viewer: Viewer;
  entries: readonly AuditEntry[];
  hints: ReadonlyMap<string, string>;
}): string {
  const rows = options.entries.map(
    (e) => html`<tr>
  <td><time datetime="${new Date(e.at).toISOString()}">${formatTime(e.at)}</time></td>
  <td>${e.actor}</td>
  <td><span class="action action-${e.action.replace('.', '-')}">${ACTIONS[e.action] ?? e.action}</span></td>
  <td>${e.target === null ? html`<span class="muted">—</span>` : html`<a href="/keys/${e.target}"><code class="hint">${options.hints.get(e.target) ?? e.target}</code></a>`}</td>
  <td><code class="address">${e.address ?? '—'}</code></td>
</tr>`,
  );
  const body = html`<div class="page">
  <div class="page-head"><div><h1>Audit log</h1><p class="lede">Key changes and sign-ins for this account, newest first.</p></div></div>
  ${
    options.entries.length === 0
      ? html`<div class="empty card"><p>Nothing has happened yet.</p></div>`
      : html`<div class="card table-card"><table class="audit">
  <caption class="visually-hidden">Audit log</caption>
  <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Key</th><th scope="col">From</th></tr></thead>
  <tbody>${rows}</tbody></table></div>`
  }
</div>`;
  return layout({ title: 'Audit log', viewer: options.viewer, section: 'audit', body });
}
