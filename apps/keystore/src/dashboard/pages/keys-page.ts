import { can } from '../../accounts/roles.ts';
import type { StoredKey } from '../../keys/key-record.ts';
import { keyStatus } from '../../keys/key-record.ts';
import { envBadge, leakBadge, statusBadge } from '../badges.ts';
import { timeTag } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, type Viewer } from '../layout.ts';
import { totals, usageChart, type UsagePoint } from '../usage-chart.ts';

export interface KeysPageOptions {
  viewer: Viewer;
  keys: readonly StoredKey[];
  usage: ReadonlyMap<string, UsagePoint[]>;
  now: number;
  notice?: SafeHtml;
}

function row(key: StoredKey, usage: UsagePoint[] | undefined, now: number, writer: boolean): SafeHtml {
  const status = keyStatus(key, now);
  const usable = status === 'active' || status === 'expiring';
  const label = key.name ?? 'Untitled key';
  const sum = usage === undefined ? { requests: 0, rateLimited: 0 } : totals(usage);
  return html`<tr data-key-id="${key.id}" class="${usable ? '' : 'row-inactive'}">
  <td><a class="key-name" href="/keys/${key.id}">${label}</a></td>
  <td>${envBadge(key.environment)}${key.leak === null ? '' : leakBadge()}</td>
  <td><code class="hint">${key.hint}</code></td>
  <td>${timeTag(key.createdAt, now)}</td>
  <td>${timeTag(key.lastUsedAt, now)}</td>
  <td><div class="usage-cell">${usage === undefined ? '' : usageChart(usage, { width: 72, height: 22 })}<span class="usage-numbers">${sum.requests.toLocaleString('en-US')}${sum.rateLimited > 0 ? html` <span class="limited">· ${sum.rateLimited} × 429</span>` : ''}</span></div></td>
  <td>${statusBadge(status)}${status === 'expiring' && key.expiresAt !== null ? html`<div class="subtle">ends ${timeTag(key.expiresAt, now)}</div>` : ''}</td>
  <td class="actions">${
    usable && writer
      ? html`<a class="btn btn-small btn-secondary" href="/keys/${key.id}#roll" aria-label="Roll ${label}">Roll</a><a class="btn btn-small btn-danger-quiet" href="/keys/${key.id}/revoke" aria-label="Revoke ${label}">Revoke</a>`
      : html`<a class="btn btn-small btn-quiet" href="/keys/${key.id}" aria-label="View ${label}">View</a>`
  }</td>
</tr>`;
}

export function keysPage({ viewer, keys, usage, now, notice }: KeysPageOptions): SafeHtml {
  // Offered only to roles that may generate; the server refuses the others anyway.
  const writer = can(viewer.role, 'keys.write');
  const generate = writer ? html`<a class="btn btn-primary" href="/keys/new">Generate New Key</a>` : '';
  const table =
    keys.length === 0
      ? html`<div class="empty card"><h2>No API keys yet</h2><p>${writer ? html`Generate a key to call the RouteMCP API. Use a <strong>test</strong> key while you develop.` : 'Your role can see keys but not generate them; ask an owner, admin or developer.'}</p>${generate}</div>`
      : html`<div class="card table-card"><table class="keys">
  <caption class="visually-hidden">API keys of this account</caption>
  <thead><tr><th scope="col">Name</th><th scope="col">Environment</th><th scope="col">Key</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Requests, 24 h</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>${keys.map((key) => row(key, usage.get(key.id), now, writer))}</tbody>
</table></div>`;
  const body = html`<div class="page">
  <div class="page-head">
    <div>
      <h1>API Keys</h1>
      <p class="lede">Send one with every request to the RouteMCP API as <code>Authorization: Bearer sk_…</code></p>
    </div>
    ${generate}
  </div>
  ${notice ?? ''}
  ${table}
</div>`;
  return layout({ title: 'API Keys', viewer, section: 'keys', body });
}
