import type { RateLimit } from '@routemcp/internal-api';
import { html, type SafeHtml } from './html.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** `28 Nov 2026, 03:33 UTC`: the server renders one zone for everyone; the ISO time is in `datetime`. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

export function relativeTime(ms: number, now: number): string {
  const seconds = Math.round((now - ms) / 1000);
  const future = seconds < 0;
  const s = Math.abs(seconds);
  const text =
    s < 60
      ? 'less than a minute'
      : s < 3600
        ? plural(Math.floor(s / 60), 'minute')
        : s < 86_400
          ? plural(Math.floor(s / 3600), 'hour')
          : plural(Math.floor(s / 86_400), 'day');
  if (s < 60 && !future) return 'just now';
  return future ? `in ${text}` : `${text} ago`;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

export function timeTag(ms: number | null, now: number, empty = 'Never'): SafeHtml {
  if (ms === null) return html`<span class="muted">${empty}</span>`;
  return html`<time datetime="${new Date(ms).toISOString()}" title="${formatTime(ms)}">${relativeTime(ms, now)}</time>`;
}

export function formatLimit(limit: RateLimit | null): string {
  if (limit === null) return 'Environment default';
  return `${limit.capacity} burst · ${limit.refillPerSecond}/s`;
}
