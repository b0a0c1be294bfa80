import type { DeliveryRecord, WebhookRecord } from '../../webhooks/webhook-record.ts';
import { timeTag } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField, layout, type Viewer } from '../layout.ts';
import { eventsLabel, webhookStatus } from './webhooks-page.ts';

export interface WebhookDetailOptions {
  viewer: Viewer;
  webhook: WebhookRecord;
  deliveries: readonly DeliveryRecord[];
  now: number;
  canWrite: boolean;
  notice?: SafeHtml;
}

function outcome(d: DeliveryRecord): SafeHtml {
  if (d.lastResponseStatus !== null) return html`<code>${d.lastResponseStatus}</code>`;
  return d.lastError === null ? html`<span class="muted">—</span>` : html`<span class="subtle">${d.lastError}</span>`;
}

/** One endpoint: its settings, rotate and delete, and its recent deliveries with a retry each. */
export function webhookDetailPage(options: WebhookDetailOptions): SafeHtml {
  const { webhook: w, now, viewer } = options;
  const rows = options.deliveries.map(
    (d) => html`<tr data-delivery-id="${d.id}">
  <td><code>${d.eventType}</code><div class="subtle"><code>${d.eventId}</code></div></td>
  <td>${d.status}</td>
  <td>${d.attempts}</td>
  <td>${outcome(d)}</td>
  <td>${d.nextAttemptAt === null ? html`<span class="muted">—</span>` : timeTag(d.nextAttemptAt, now)}</td>
  <td>${timeTag(d.createdAt, now)}</td>
  <td class="actions">${
    options.canWrite && d.status !== 'pending'
      ? html`<form method="post" action="/webhooks/${w.id}/deliveries/${d.id}/retry">${csrfField(viewer)}<button type="submit" class="btn btn-small btn-secondary">Retry</button></form>`
      : ''
  }</td>
</tr>`,
  );
  const manage = options.canWrite
    ? html`<section class="card stack" aria-labelledby="manage-title">
  <h2 id="manage-title">Manage</h2>
  <form method="post" action="/webhooks/${w.id}/rotate-secret" class="form-actions">${csrfField(viewer)}<button type="submit" class="btn btn-secondary">Rotate signing secret</button><span class="subtle">The old secret stops signing at once; the new one is shown once.</span></form>
  <form method="post" action="/webhooks/${w.id}/delete" class="form-actions">${csrfField(viewer)}<button type="submit" class="btn btn-danger">Delete endpoint</button><span class="subtle">Its pending deliveries are dropped.</span></form>
</section>`
    : '';
  const body = html`<div class="page">
  <p class="crumbs"><a href="/webhooks">Webhooks</a> <span aria-hidden="true">/</span> Endpoint</p>
  <div class="page-head"><div><h1><code>${w.url}</code></h1><p class="lede">${w.description ?? ''}</p></div>${webhookStatus(w)}</div>
  ${options.notice ?? ''}
  <section class="card facts" aria-label="Endpoint details"><dl>
    <div class="wide"><dt>Events</dt><dd>${eventsLabel(w.events)}</dd></div>
    <div><dt>Added</dt><dd>${timeTag(w.createdAt, now)}</dd></div>
    <div><dt>Failing since</dt><dd>${timeTag(w.failingSince, now, 'Not failing')}</dd></div>
    ${w.disabledAt === null ? '' : html`<div><dt>Disabled</dt><dd>${timeTag(w.disabledAt, now)}</dd></div>`}
  </dl></section>
  ${manage}
  <h2>Deliveries</h2>
  ${
    options.deliveries.length === 0
      ? html`<div class="empty card"><p>Nothing sent yet.</p></div>`
      : html`<div class="card table-card"><table class="deliveries">
  <caption class="visually-hidden">Recent deliveries, newest first</caption>
  <thead><tr><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last answer</th><th scope="col">Next attempt</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>${rows}</tbody></table></div>`
  }
</div>`;
  return layout({ title: 'Webhook endpoint', viewer, section: 'webhooks', body });
}
