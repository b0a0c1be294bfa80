import type { ManagementTokenRecord } from '../../tokens/management-token.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField, layout, type Viewer } from '../layout.ts';

/** The confirmation step: revoking takes a second, deliberate submit. */
export function tokenRevokePage(options: { viewer: Viewer; token: ManagementTokenRecord }): SafeHtml {
  const { token } = options;
  const body = html`<div class="page narrow">
  <p class="crumbs"><a href="/tokens">API tokens</a> <span aria-hidden="true">/</span> Revoke</p>
  <section class="card stack confirm" aria-labelledby="confirm-title">
    <h1 id="confirm-title">Revoke this token?</h1>
    <p class="confirm-key"><strong>${token.name}</strong></p>
    <p>Its next call to the management API is refused with <code>401 UNAUTHORIZED</code>. <strong>This cannot be undone.</strong></p>
    <form method="post" action="/tokens/${token.id}/revoke" class="form-actions">
      ${csrfField(options.viewer)}
      <button type="submit" class="btn btn-danger" autofocus>Revoke token</button>
      <a class="btn btn-quiet" href="/tokens">Cancel</a>
    </form>
  </section>
</div>`;
  return layout({ title: 'Revoke token', viewer: options.viewer, section: 'tokens', body });
}
