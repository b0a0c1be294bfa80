import { WEBHOOK_EVENT_TYPES } from '@routemcp/internal-api';
import type { WebhookRecord } from '../../webhooks/webhook-record.ts';
import { timeTag } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField, layout, type Viewer } from '../layout.ts';

export interface WebhooksPageOptions {
  viewer: Viewer;
  webhooks: readonly WebhookRecord[];
  now: number;
  /** Without webhooks.write the add form is not shown. */
  canWrite: boolean;
  notice?: SafeHtml;
  error?: string;
  values?: { url?: string; description?: string; events?: readonly string[] };
}

export function eventsLabel(events: readonly string[] | null): string {
  return events === null ? 'All events' : events.join(', ');
}

export function webhookStatus(webhook: WebhookRecord): SafeHtml {
  const on = webhook.disabledAt === null;
  return html`<span class="status status-${on ? 'active' : 'revoked'}"><span class="dot" aria-hidden="true"></span>${on ? 'Enabled' : 'Disabled'}</span>`;
}

function addForm(options: WebhooksPageOptions): SafeHtml {
  const v = options.values ?? {};
  const checked = new Set(v.events ?? []);
  return html`<form method="post" action="/webhooks" class="card stack" aria-labelledby="add-title">
  <h2 id="add-title">Add an endpoint</h2>
  ${options.error === undefined ? '' : html`<p class="alert alert-error" role="alert">${options.error}</p>`}
  ${csrfField(options.viewer)}
  <div class="field"><label for="url">Endpoint URL</label><input id="url" name="url" type="url" required maxlength="2048" value="${v.url ?? ''}" placeholder="https://example.com/webhooks/routemcp"></div>
  <div class="field"><label for="description">Description <span class="optional">optional</span></label><input id="description" name="description" maxlength="200" value="${v.description ?? ''}"></div>
  <fieldset><legend>Events <span class="optional">none ticked: all of them</span></legend>
    ${WEBHOOK_EVENT_TYPES.map((type) => html`<label class="choice-inline"><input type="checkbox" name="events" value="${type}" ${checked.has(type) ? 'checked' : ''}> <code>${type}</code></label> `)}
  </fieldset>
  <div class="form-actions"><button type="submit" class="btn btn-primary">Add endpoint</button></div>
</form>`;
}

/** Webhooks: the account's endpoints, and the form to add one. */
export function webhooksPage(options: WebhooksPageOptions): SafeHtml {
  const { webhooks, now } = options;
  const table =
    webhooks.length === 0
      ? html`<div class="empty card"><p>No endpoints yet. Add one to be told when keys are created, rolled, revoked or expire, leak, or run out of quota.</p></div>`
      : html`<div class="card table-card"><table class="webhooks">
  <caption class="visually-hidden">Webhook endpoints of this account</caption>
  <thead><tr><th scope="col">Endpoint</th><th scope="col">Events</th><th scope="col">Status</th><th scope="col">Added</th></tr></thead>
  <tbody>${webhooks.map(
    (w) => html`<tr data-webhook-id="${w.id}">
  <td><a href="/webhooks/${w.id}"><code>${w.url}</code></a>${w.description === null ? '' : html`<div class="subtle">${w.description}</div>`}</td>
  <td>${eventsLabel(w.events)}</td>
  <td>${webhookStatus(w)}</td>
  <td>${timeTag(w.createdAt, now)}</td>
</tr>`,
  )}</tbody></table></div>`;
  const body = html`<div class="page">
  <div class="page-head"><div><h1>Webhooks</h1><p class="lede">Signed HTTP calls (<a href="https://www.standardwebhooks.com/">Standard Webhooks</a>) to your systems when something happens to a key.</p></div></div>
  ${options.notice ?? ''}
  ${table}
  ${options.canWrite ? addForm(options) : ''}
</div>`;
  return layout({ title: 'Webhooks', viewer: options.viewer, section: 'webhooks', body });
}
