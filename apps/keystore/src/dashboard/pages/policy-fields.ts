import { html, type SafeHtml } from '../html.ts';
import type { PolicyFormValues } from '../policy-form.ts';

const PERIODS: readonly [string, string][] = [
  ['day', 'Per day (UTC)'],
  ['month', 'Per month (UTC)'],
  ['total', 'In total'],
];

const textarea = (id: string, label: string, hint: SafeHtml, value: string | undefined, rows = 3) =>
  html`<div class="field">
        <label for="${id}">${label} <span class="optional">optional</span></label>
        <textarea id="${id}" name="${id}" rows="${rows}" spellcheck="false" aria-describedby="${id}-hint">${value ?? ''}</textarea>
        <p class="field-hint" id="${id}-hint">${hint}</p>
      </div>`;

/**
 * The policy controls of the new-key and edit forms: native controls with
 * labels and hints (aria-describedby), lists one item per line, metadata as
 * JSON, so every one works from the keyboard and with a screen reader.
 */
export function policyFields(v: PolicyFormValues): SafeHtml {
  const period = v.quotaPeriod === undefined || v.quotaPeriod === '' ? 'month' : v.quotaPeriod;
  return html`<fieldset class="policies">
      <legend>Restrictions and limits <span class="optional">optional — empty fields restrict nothing</span></legend>
      ${textarea('permissions', 'Permissions', html`One <code>METHOD /path</code> per line, e.g. <code>GET /api/v1/contacts</code>. Method <code>*</code>: any; <code>*</code> in the path: one segment; a trailing <code>/**</code>: anything below. Empty: every endpoint.`, v.permissions)}
      ${textarea('allowedIps', 'Allowed IP addresses', html`One address or CIDR per line, e.g. <code>203.0.113.7</code> or <code>10.0.0.0/8</code>. Empty: from anywhere.`, v.allowedIps)}
      <div class="field">
        <label for="ownerId">Owner <span class="optional">optional</span></label>
        <input id="ownerId" name="ownerId" maxlength="64" value="${v.ownerId ?? ''}" aria-describedby="ownerId-hint" placeholder="e.g. cust_42">
        <p class="field-hint" id="ownerId-hint">The customer this key belongs to; shared buckets and quotas count all of an owner's keys together.</p>
      </div>
      ${textarea('rateLimits', 'Rate limit buckets', html`One bucket per line: <code>name burst refill-per-second</code>, then <code>shared</code> (one bucket for the owner) and/or <code>shadow</code> (counted, never refuses), e.g. <code>burst 10 5</code>. Every bucket must admit a request. Use these or the rate limit above, not both.`, v.rateLimits)}
      <fieldset class="quota">
        <legend>Quota</legend>
        <div class="row">
          <div class="field"><label for="quotaLimit">Request limit</label><input id="quotaLimit" name="quotaLimit" inputmode="numeric" value="${v.quotaLimit ?? ''}" aria-describedby="quota-hint"></div>
          <div class="field"><label for="quotaPeriod">Period</label><select id="quotaPeriod" name="quotaPeriod">${PERIODS.map(([value, label]) => html`<option value="${value}" ${period === value ? 'selected' : ''}>${label}</option>`)}</select></div>
        </div>
        <label class="choice-inline"><input type="checkbox" name="quotaShared" ${v.quotaShared === 'on' ? 'checked' : ''}> Shared by every key of the owner</label>
        <p class="field-hint" id="quota-hint">Empty: no quota. Past it the proxy answers <code>429 QUOTA_EXCEEDED</code> until the period ends.</p>
      </fieldset>
      ${textarea('metadata', 'Metadata', html`A JSON object of at most 1 KiB, e.g. <code>{"plan": "pro"}</code>, sent to the upstream with each request (<code>X-RouteMCP-Key-Meta</code>).`, v.metadata, 4)}
    </fieldset>`;
}
