import type { StoredKey } from '../../keys/key-record.ts';
import type { QuotaUsage } from '../../keys/key-service.ts';
import { formatTime } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';

const none = (text: string) => html`<span class="muted">${text}</span>`;

const codeList = (items: readonly string[] | null, empty: string) =>
  items === null
    ? none(empty)
    : html`<ul class="plain-list">${items.map((item) => html`<li><code>${item}</code></li>`)}</ul>`;

const PERIOD_WORDS = { day: 'today (UTC)', month: 'this month (UTC)', total: 'in total' } as const;
const count = (n: number) => n.toLocaleString('en-US');

function quotaUse(key: StoredKey, usage: QuotaUsage | null): SafeHtml {
  if (key.quota === null) return none('No quota');
  const { limit, period, shared } = key.quota;
  const used = usage?.used ?? 0;
  const resets = usage?.resetsAt ?? null;
  return html`<div class="quota-use">
        <progress max="${limit}" value="${Math.min(used, limit)}" aria-labelledby="quota-title" aria-describedby="quota-text"></progress>
        <p id="quota-text"><strong>${count(used)}</strong> of ${count(limit)} requests used ${PERIOD_WORDS[period]}${shared ? html`, shared by every key of <code>${key.ownerId}</code>` : ''}; ${count(Math.max(0, limit - used))} left.${resets === null ? '' : ` Starts again ${formatTime(resets)}.`}</p>
      </div>`;
}

const bucketLine = (b: NonNullable<StoredKey['rateLimits']>[number]) =>
  html`<li><code>${b.name}</code>: ${b.capacity} burst · ${b.refillPerSecond}/s${b.shared ? ' · shared by the owner' : ''}${b.shadow ? ' · shadow (never refuses)' : ''}</li>`;

/** What the key may do: permissions, addresses, owner, buckets, the quota with its use, metadata. */
export function keyPoliciesCard(key: StoredKey, usage: QuotaUsage | null): SafeHtml {
  return html`<section class="card facts policies-card" aria-labelledby="policies-title">
    <h2 id="policies-title">Restrictions and limits</h2>
    <dl>
      <div><dt>Permissions</dt><dd>${codeList(key.permissions, 'Every endpoint')}</dd></div>
      <div><dt>Allowed IP addresses</dt><dd>${codeList(key.allowedIps, 'From anywhere')}</dd></div>
      <div><dt>Owner</dt><dd>${key.ownerId === null ? none('None') : html`<code>${key.ownerId}</code>`}</dd></div>
      <div><dt>Rate limit buckets</dt><dd>${key.rateLimits === null ? none('None') : html`<ul class="plain-list">${key.rateLimits.map(bucketLine)}</ul>`}</dd></div>
      <div class="wide"><dt id="quota-title">Quota</dt><dd>${quotaUse(key, usage)}</dd></div>
      <div class="wide"><dt>Metadata</dt><dd>${key.metadata === null ? none('None') : html`<pre class="json">${JSON.stringify(key.metadata, null, 2)}</pre>`}</dd></div>
    </dl>
  </section>`;
}
