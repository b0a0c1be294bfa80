import type { Environment } from '@routemcp/api-key';
import type { KeyStatus } from '../keys/key-record.ts';
import { html, type SafeHtml } from './html.ts';

export function envBadge(environment: Environment): SafeHtml {
  return html`<span class="badge badge-${environment}">${environment === 'live' ? 'Live' : 'Test'}</span>`;
}

const STATUS_LABEL: Record<KeyStatus, string> = {
  active: 'Active',
  expiring: 'Expiring',
  expired: 'Expired',
  revoked: 'Revoked',
};

export function statusBadge(status: KeyStatus): SafeHtml {
  return html`<span class="status status-${status}"><span class="dot" aria-hidden="true"></span>${STATUS_LABEL[status]}</span>`;
}

/** A key reported found in public (issue 24); where, on the key's page. */
export function leakBadge(): SafeHtml {
  return html`<span class="badge badge-leaked" title="Reported found in public">Leaked</span>`;
}
