import { can } from '../../accounts/roles.ts';
import type { StoredKey } from '../../keys/key-record.ts';
import { keyStatus } from '../../keys/key-record.ts';
import type { QuotaUsage } from '../../keys/key-service.ts';
import { envBadge, leakBadge, statusBadge } from '../badges.ts';
import { formatLimit, timeTag } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField, layout, type Viewer } from '../layout.ts';
import { policyFormValues, type PolicyFormValues } from '../policy-form.ts';
import { totals, usageChart, type UsagePoint } from '../usage-chart.ts';
import { keyPoliciesCard } from './key-policies-card.ts';
import { policyFields } from './policy-fields.ts';

export interface KeyDetailOptions {
  viewer: Viewer;
  key: StoredKey;
  usage: UsagePoint[];
  quota: QuotaUsage | null;
  now: number;
  notice?: SafeHtml;
  /** Form values and message when an edit or roll was refused. */
  editError?: string;
  rollError?: string;
  values?: PolicyFormValues & {
    name?: string;
    capacity?: string;
    refill?: string;
    grace?: string;
    customHours?: string;
  };
}

const GRACE_CHOICES: readonly [string, string][] = [
  ['0', 'Now — the old key stops at once'],
  ['3600', 'In 1 hour'],
  ['86400', 'In 24 hours'],
  ['custom', 'Custom'],
];

export function keyDetailPage(o: KeyDetailOptions): SafeHtml {
  const { key, now } = o;
  const status = keyStatus(key, now);
  const usable = status === 'active' || status === 'expiring';
  const sum = totals(o.usage);
  const v = o.values ?? {};
  const grace = v.grace ?? '3600';
  const title = key.name ?? 'Untitled key';

  // A viewer reads the key; the server refuses its changes anyway (the forms' routes need keys.write).
  const manage = !can(o.viewer.role, 'keys.write')
    ? ''
    : !usable
      ? html`<section class="card"><h2>This key no longer works</h2><p class="subtle">Requests that use it are answered <code>401 INVALID_API_KEY</code>. It stays listed for the record.</p></section>`
      : html`<section class="card stack" aria-labelledby="edit-title">
    <h2 id="edit-title">Settings</h2>
    ${o.editError === undefined ? '' : html`<p class="alert alert-error" role="alert">${o.editError}</p>`}
    <form method="post" action="/keys/${key.id}" class="stack">
      ${csrfField(o.viewer)}
      <div class="field"><label for="name">Name</label><input id="name" name="name" maxlength="100" value="${v.name ?? key.name ?? ''}"></div>
      <div class="row">
        <div class="field"><label for="capacity">Burst (requests)</label><input id="capacity" name="capacity" inputmode="numeric" value="${v.capacity ?? key.rateLimit?.capacity ?? ''}"></div>
        <div class="field"><label for="refill">Refill (requests per second)</label><input id="refill" name="refill" inputmode="decimal" value="${v.refill ?? key.rateLimit?.refillPerSecond ?? ''}"></div>
      </div>
      <p class="subtle">Leave both limits empty for the environment default.</p>
      ${policyFields(o.editError === undefined ? policyFormValues(key) : v)}
      <p class="subtle">Changes reach every proxy within a second.</p>
      <div class="form-actions"><button type="submit" class="btn btn-secondary">Save changes</button></div>
    </form>
  </section>
  <section class="card stack" id="roll" aria-labelledby="roll-title">
    <h2 id="roll-title">Roll key</h2>
    <p class="subtle">Issues a new key with the same name, limits, restrictions and expiry. The current key keeps working for the grace period you choose, so you can deploy the new one first.</p>
    ${o.rollError === undefined ? '' : html`<p class="alert alert-error" role="alert">${o.rollError}</p>`}
    <form method="post" action="/keys/${key.id}/roll" class="stack">
      ${csrfField(o.viewer)}
      <fieldset><legend>Old key stops working</legend>
        ${GRACE_CHOICES.map(
          ([value, label]) =>
            html`<label class="choice-inline"><input type="radio" name="grace" value="${value}" ${grace === value ? 'checked' : ''}> ${label}</label>`,
        )}
        <div class="field custom-grace"><label for="custom-hours">Custom grace period (hours, up to 168)</label><input id="custom-hours" name="customHours" inputmode="decimal" value="${v.customHours ?? ''}"></div>
      </fieldset>
      <div class="form-actions"><button type="submit" class="btn btn-primary">Roll key</button></div>
    </form>
  </section>
  <section class="card danger-zone" aria-labelledby="revoke-title">
    <div><h2 id="revoke-title">Revoke key</h2><p class="subtle">Every request with this key is refused within a second. This cannot be undone.</p></div>
    <a class="btn btn-danger" href="/keys/${key.id}/revoke">Revoke…</a>
  </section>`;

  const body = html`<div class="page narrow">
  <p class="crumbs"><a href="/keys">API Keys</a> <span aria-hidden="true">/</span> ${title}</p>
  <div class="page-head"><h1>${title}</h1><div class="head-badges">${envBadge(key.environment)}${key.leak === null ? '' : leakBadge()}${statusBadge(status)}</div></div>
  ${o.notice ?? ''}
  ${key.leak === null ? '' : html`<p class="alert alert-warning" role="status">This key was reported found in public ${timeTag(key.leak.at, now)}: <code class="leak-url">${key.leak.url === '' ? '(no URL given)' : key.leak.url}</code> (${key.leak.source}).${usable ? ' Roll it, deploy the new key, then revoke this one.' : ''}</p>`}
  <section class="card facts" aria-label="Key details">
    <dl>
      <div><dt>Key</dt><dd><code class="hint">${key.hint}</code></dd></div>
      <div><dt>Created</dt><dd>${timeTag(key.createdAt, now)}</dd></div>
      <div><dt>Last used</dt><dd>${timeTag(key.lastUsedAt, now)}</dd></div>
      <div><dt>Rate limit</dt><dd>${formatLimit(key.rateLimit)}</dd></div>
      ${key.expiresAt !== null && key.revokedAt === null ? html`<div><dt>${status === 'expired' ? 'Expired' : 'Expires'}</dt><dd>${timeTag(key.expiresAt, now)}</dd></div>` : ''}
      ${key.revokedAt !== null ? html`<div><dt>Revoked</dt><dd>${timeTag(key.revokedAt, now)}</dd></div>` : ''}
    </dl>
  </section>
  ${keyPoliciesCard(key, o.quota)}
  <section class="card" aria-labelledby="usage-title">
    <div class="usage-head"><h2 id="usage-title">Usage, last 24 hours</h2>
      <p class="usage-totals"><span><strong>${sum.requests.toLocaleString('en-US')}</strong> requests</span><span class="limited"><strong>${sum.rateLimited.toLocaleString('en-US')}</strong> rate-limited (429)</span></p></div>
    <div class="chart-wrap">${usageChart(o.usage, { width: 640, height: 96 })}</div>
    <div class="chart-axis"><span>24 h ago</span><span class="legend"><span class="swatch swatch-req"></span>Requests <span class="swatch swatch-429"></span>429s</span><span>Now</span></div>
  </section>
  ${manage}
</div>`;
  return layout({ title, viewer: o.viewer, section: 'keys', body });
}
