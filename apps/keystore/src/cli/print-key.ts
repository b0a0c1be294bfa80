import type { StoredKey } from '../keys/key-record.ts';
import type { IssuedKey } from '../keys/key-service.ts';
import { toKeyView, type KeyView } from '../keys/key-view.ts';

export interface Output {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** A created or rolled key: the only output that carries a key, and says so on stderr. */
export function printIssued(issued: IssuedKey, now: number, json: boolean, io: Output, old?: StoredKey): void {
  const { id, ...rest }: KeyView = toKeyView(issued.record, now);
  if (json) {
    const oldView = old === undefined ? {} : { old: toKeyView(old, now) };
    io.stdout(`${JSON.stringify({ id, key: issued.key, ...rest, ...oldView }, null, 2)}\n`);
    return;
  }
  const lines = [
    `id: ${id}`,
    `environment: ${rest.environment}`,
    `account: ${rest.accountId}`,
    `hint: ${rest.hint}`,
    ...settingLines(rest),
  ];
  if (old !== undefined) {
    const ends = old.revokedAt !== null ? 'revoked now' : `works until ${toKeyView(old, now).expiresAt}`;
    lines.push(`rolled from: ${old.id} (${ends})`);
  }
  lines.push(`key: ${issued.key}`);
  io.stdout(`${lines.join('\n')}\n`);
  io.stderr('This key is shown only once: store it now. The keystore keeps only its hash.\n');
}

/** The settings a key has, one line each; unset ones are left out. */
export function settingLines(
  view: Omit<KeyView, 'id' | 'quota'> & {
    quota: { limit: number; period: string; shared: boolean; used?: number } | null;
  },
): string[] {
  const lines: string[] = [];
  if (view.name !== null) lines.push(`name: ${view.name}`);
  if (view.expiresAt !== null) lines.push(`expires: ${view.expiresAt}`);
  if (view.rateLimit !== null)
    lines.push(`rate limit: ${view.rateLimit.capacity} burst, ${view.rateLimit.refillPerSecond}/s`);
  if (view.ownerId !== null) lines.push(`owner: ${view.ownerId}`);
  if (view.permissions !== null) lines.push(`permissions: ${view.permissions.join(', ')}`);
  if (view.allowedIps !== null) lines.push(`allowed ips: ${view.allowedIps.join(', ')}`);
  for (const b of view.rateLimits ?? []) {
    const modes = [b.shared ? 'shared' : '', b.shadow ? 'shadow' : ''].filter(Boolean).join(', ');
    lines.push(`rate limit ${b.name}: ${b.capacity} burst, ${b.refillPerSecond}/s${modes ? ` (${modes})` : ''}`);
  }
  if (view.quota !== null) {
    const used = view.quota.used === undefined ? '' : `, ${view.quota.used} used`;
    const period = view.quota.period === 'total' ? 'in total' : `per ${view.quota.period}`;
    lines.push(`quota: ${view.quota.limit} ${period}${view.quota.shared ? ' (shared by the owner)' : ''}${used}`);
  }
  if (view.metadata !== null) lines.push(`metadata: ${JSON.stringify(view.metadata)}`);
  return lines;
}
