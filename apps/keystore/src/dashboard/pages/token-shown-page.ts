import type { ManagementTokenRecord } from '../../tokens/management-token.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, type Viewer } from '../layout.ts';
import { ROLE_LABEL } from './tokens-page.ts';

/** The only page that ever holds a management token: the POST's own answer (no-store), never a redirect target. */
export function tokenShownPage(options: { viewer: Viewer; token: string; record: ManagementTokenRecord }): SafeHtml {
  const { token, record } = options;
  const body = html`<div class="page narrow" data-replace-url="/tokens">
  <p class="crumbs"><a href="/tokens">API tokens</a> <span aria-hidden="true">/</span> New token</p>
  <h1>Your new API token</h1>
  <section class="card stack reveal" aria-labelledby="token-label">
    <div class="reveal-head"><span id="token-label" class="label">${record.name}</span><span class="badge">${ROLE_LABEL[record.role]}</span></div>
    <div class="secret-row">
      <code id="new-token" class="secret" tabindex="0">${token}</code>
      <button type="button" class="btn btn-primary" data-copy="new-token" aria-describedby="copy-status">Copy</button>
    </div>
    <p id="copy-status" class="copy-status" role="status" aria-live="polite"></p>
    <div class="alert alert-warning" role="note"><strong>This token will not be shown again.</strong> Copy it now into your CI's secret store. RouteMCP stores only a hash of it; if you lose it, revoke it and create another.</div>
    <div class="form-actions"><a class="btn btn-secondary" href="/tokens">I have copied it — back to API tokens</a></div>
  </section>
</div>`;
  return layout({ title: 'Copy your token', viewer: options.viewer, section: 'tokens', body });
}
