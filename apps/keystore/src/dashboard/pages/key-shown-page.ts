import type { StoredKey } from '../../keys/key-record.ts';
import { envBadge } from '../badges.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, type Viewer } from '../layout.ts';

/**
 * The only page that ever holds a key. It is the POST's own answer
 * (no-store), never a redirect target; the script swaps the history entry
 * for `/keys?created=…` so a reload shows the list, not this.
 */
export function keyShownPage(options: {
  viewer: Viewer;
  key: string;
  record: StoredKey;
  rolledFrom?: StoredKey;
}): SafeHtml {
  const { key, record } = options;
  const body = html`<div class="page narrow" data-replace-url="/keys?created=${record.id}">
  <p class="crumbs"><a href="/keys">API Keys</a> <span aria-hidden="true">/</span> ${options.rolledFrom === undefined ? 'New key' : 'Rolled key'}</p>
  <h1>${options.rolledFrom === undefined ? 'Your new API key' : 'Your rolled API key'}</h1>
  <section class="card stack reveal" aria-labelledby="key-label">
    <div class="reveal-head"><span id="key-label" class="label">${record.name ?? 'Untitled key'}</span>${envBadge(record.environment)}</div>
    <div class="secret-row">
      <code id="new-key" class="secret" tabindex="0">${key}</code>
      <button type="button" class="btn btn-primary" data-copy="new-key" aria-describedby="copy-status">Copy</button>
    </div>
    <p id="copy-status" class="copy-status" role="status" aria-live="polite"></p>
    <div class="alert alert-warning" role="note"><strong>This key will not be shown again.</strong> Copy it now and keep it somewhere safe, such as a secrets manager or an environment variable. RouteMCP stores only a hash of it; if you lose it, roll it to get a new one.</div>
    ${
      options.rolledFrom === undefined
        ? ''
        : html`<p class="subtle">The previous key <code>${options.rolledFrom.hint}</code> ${options.rolledFrom.revokedAt !== null ? 'was revoked.' : 'keeps working until its grace period ends.'}</p>`
    }
    <div class="form-actions"><a class="btn btn-secondary" href="/keys">I have copied it — back to API Keys</a></div>
  </section>
</div>`;
  return layout({ title: 'Copy your key', viewer: options.viewer, section: 'keys', body });
}
