import { html, type SafeHtml } from '../html.ts';
import { csrfField, layout, type Viewer } from '../layout.ts';
import type { PolicyFormValues } from '../policy-form.ts';
import { policyFields } from './policy-fields.ts';

export interface NewKeyValues extends PolicyFormValues {
  environment?: string;
  name?: string;
  capacity?: string;
  refill?: string;
}

export function newKeyPage(options: { viewer: Viewer; values?: NewKeyValues; error?: string }): SafeHtml {
  const v = options.values ?? {};
  const env = v.environment ?? 'test';
  const body = html`<div class="page narrow">
  <p class="crumbs"><a href="/keys">API Keys</a> <span aria-hidden="true">/</span> New key</p>
  <h1>Generate New Key</h1>
  ${options.error === undefined ? '' : html`<p class="alert alert-error" role="alert">${options.error}</p>`}
  <form method="post" action="/keys" class="card stack">
    ${csrfField(options.viewer)}
    <fieldset class="env-choice">
      <legend>Environment</legend>
      <label class="choice choice-test"><input type="radio" name="environment" value="test" ${env === 'test' ? 'checked' : ''}>
        <span><strong>Test</strong> <code>sk_test_</code><span class="choice-help">Sandbox data, safe for development and CI.</span></span></label>
      <label class="choice choice-live"><input type="radio" name="environment" value="live" ${env === 'live' ? 'checked' : ''}>
        <span><strong>Live</strong> <code>sk_live_</code><span class="choice-help">Production: real data from connected providers.</span></span></label>
    </fieldset>
    <div class="field">
      <label for="name">Name <span class="optional">optional</span></label>
      <input id="name" name="name" maxlength="100" value="${v.name ?? ''}" placeholder="e.g. billing-service">
    </div>
    <fieldset class="limits">
      <legend>Rate limit <span class="optional">optional — leave empty for the environment default</span></legend>
      <div class="row">
        <div class="field"><label for="capacity">Burst (requests)</label><input id="capacity" name="capacity" inputmode="numeric" value="${v.capacity ?? ''}"></div>
        <div class="field"><label for="refill">Refill (requests per second)</label><input id="refill" name="refill" inputmode="decimal" value="${v.refill ?? ''}"></div>
      </div>
    </fieldset>
    ${policyFields(v)}
    <div class="form-actions"><button type="submit" class="btn btn-primary">Generate key</button><a class="btn btn-quiet" href="/keys">Cancel</a></div>
  </form>
</div>`;
  return layout({ title: 'Generate New Key', viewer: options.viewer, section: 'keys', body });
}
