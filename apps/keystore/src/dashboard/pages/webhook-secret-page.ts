import type { WebhookRecord } from '../../webhooks/webhook-record.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, type Viewer } from '../layout.ts';

/** The only page that holds a signing secret: the POST's own answer, swapped out of history by the script. */
export function webhookSecretPage(options: { viewer: Viewer; webhook: WebhookRecord; rotated: boolean }): SafeHtml {
  const { webhook } = options;
  const body = html`<div class="page narrow" data-replace-url="/webhooks/${webhook.id}">
  <p class="crumbs"><a href="/webhooks">Webhooks</a> <span aria-hidden="true">/</span> ${options.rotated ? 'New secret' : 'New endpoint'}</p>
  <h1>${options.rotated ? 'The new signing secret' : 'Endpoint added'}</h1>
  <section class="card stack reveal" aria-labelledby="secret-label">
    <div class="reveal-head"><span id="secret-label" class="label"><code>${webhook.url}</code></span></div>
    <div class="secret-row">
      <code id="new-key" class="secret" tabindex="0">${webhook.secret}</code>
      <button type="button" class="btn btn-primary" data-copy="new-key" aria-describedby="copy-status">Copy</button>
    </div>
    <p id="copy-status" class="copy-status" role="status" aria-live="polite"></p>
    <div class="alert alert-warning" role="note"><strong>This secret will not be shown again.</strong> Your receiver verifies each delivery's <code>webhook-signature</code> with it (any Standard Webhooks library does). If you lose it, rotate it.</div>
    <div class="form-actions"><a class="btn btn-secondary" href="/webhooks/${webhook.id}">I have copied it — back to the endpoint</a></div>
  </section>
</div>`;
  return layout({ title: 'Copy your signing secret', viewer: options.viewer, section: 'webhooks', body });
}
