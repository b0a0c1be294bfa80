import type { StoredKey } from '../../keys/key-record.ts';
import { envBadge } from '../badges.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField, layout, type Viewer } from '../layout.ts';

/** The confirmation step: revoking takes a second, deliberate submit. */
export function revokePage(options: { viewer: Viewer; key: StoredKey }): SafeHtml {
  const { key } = options;
  const title = key.name ?? 'Untitled key';
  const body = html`<div class="page narrow">
  <p class="crumbs"><a href="/keys">API Keys</a> <span aria-hidden="true">/</span> <a href="/keys/${key.id}">${title}</a> <span aria-hidden="true">/</span> Revoke</p>
  <section class="card stack confirm" aria-labelledby="confirm-title">
    <h1 id="confirm-title">Revoke this key?</h1>
    <p class="confirm-key">${envBadge(key.environment)} <strong>${title}</strong> <code class="hint">${key.hint}</code></p>
    <p>Requests that use it will be refused with <code>401 INVALID_API_KEY</code> within a second. Anything still using it stops working. <strong>This cannot be undone.</strong></p>
    <form method="post" action="/keys/${key.id}/revoke" class="form-actions">
      ${csrfField(options.viewer)}
      <button type="submit" class="btn btn-danger" autofocus>Revoke key</button>
      <a class="btn btn-quiet" href="/keys">Cancel</a>
    </form>
  </section>
</div>`;
  return layout({ title: 'Revoke key', viewer: options.viewer, section: 'keys', body });
}
