import { HttpError } from '@routemcp/errors';
import type { Environment } from '@routemcp/api-key';
import type { RateLimit } from '@routemcp/internal-api';
import { createKeySchema, parseInput, patchKeySchema, rollKeySchema } from '../keys/key-input.ts';
import type { KeyPolicies } from '../keys/key-record.ts';
import { formMessage, readPolicyFields, type LineMap } from './policy-form.ts';

export type FormResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** What the new-key and edit forms produce; `lines` puts later messages (a conflict) on the right textarea line. */
export interface KeySettings extends KeyPolicies {
  name: string | null;
  rateLimit: RateLimit | null;
}

const LABELS: readonly [RegExp, string][] = [
  [/^environment:/, 'Environment:'],
  [/^name:/, 'Name:'],
  [/^rateLimit\.capacity:/, 'Burst:'],
  [/^rateLimit\.refillPerSecond:/, 'Refill:'],
  [/^gracePeriodSeconds: .*/, 'Custom grace period: expected 0 to 168 hours'],
];

/** The API's messages with the form's labels. */
export function labelled(message: string, lines: LineMap = {}): string {
  for (const [pattern, label] of LABELS) if (pattern.test(message)) return message.replace(pattern, label);
  return formMessage(message, lines);
}

/** The shared validators (the JSON API's) with messages that name the form's labels. */
function validate<T>(run: () => T, lines: LineMap = {}): FormResult<T> {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    return { ok: false, error: labelled(error.message, lines) };
  }
}

const text = (form: URLSearchParams, name: string) => (form.get(name) ?? '').trim();

function limitsInput(form: URLSearchParams): FormResult<{ capacity: number; refillPerSecond: number } | null> {
  const capacity = text(form, 'capacity');
  const refill = text(form, 'refill');
  if (capacity === '' && refill === '') return { ok: true, value: null };
  if (capacity === '' || refill === '')
    return { ok: false, error: 'Rate limit: fill in both burst and refill, or neither.' };
  return { ok: true, value: { capacity: Number(capacity), refillPerSecond: Number(refill) } };
}

/** Name, the one-bucket limit and the policies: the fields both forms share. */
function settingsInput(form: URLSearchParams): FormResult<{ body: Record<string, unknown>; lines: LineMap }> {
  const limits = limitsInput(form);
  if (!limits.ok) return limits;
  const policies = readPolicyFields(form);
  if (!policies.ok) return policies;
  const name = text(form, 'name') === '' ? null : text(form, 'name');
  return { ok: true, value: { body: { name, rateLimit: limits.value, ...policies.body }, lines: policies.lines } };
}

const settingsOf = (body: Partial<KeySettings>): KeySettings => ({
  name: body.name ?? null,
  rateLimit: body.rateLimit ?? null,
  ownerId: body.ownerId ?? null,
  permissions: body.permissions ?? null,
  allowedIps: body.allowedIps ?? null,
  rateLimits: body.rateLimits ?? null,
  quota: body.quota ?? null,
  metadata: body.metadata ?? null,
});

export function parseNewKeyForm(
  form: URLSearchParams,
): FormResult<{ environment: Environment; settings: KeySettings; lines: LineMap }> {
  const input = settingsInput(form);
  if (!input.ok) return input;
  const { body: fields, lines } = input.value;
  return validate(() => {
    const body = parseInput(createKeySchema, { environment: form.get('environment') ?? undefined, ...fields });
    return { environment: body.environment, settings: settingsOf(body), lines };
  }, lines);
}

export function parseEditForm(form: URLSearchParams): FormResult<{ settings: KeySettings; lines: LineMap }> {
  const input = settingsInput(form);
  if (!input.ok) return input;
  const { body: fields, lines } = input.value;
  return validate(() => ({ settings: settingsOf(parseInput(patchKeySchema, fields)), lines }), lines);
}

/** `grace` is 0, 3600, 86400 or `custom` with `customHours`. */
export function parseRollForm(form: URLSearchParams): FormResult<number> {
  const grace = form.get('grace') ?? '0';
  let seconds: number;
  if (grace === 'custom') {
    const hours = text(form, 'customHours');
    if (hours === '') return { ok: false, error: 'Custom grace period: enter a number of hours.' };
    seconds = Math.round(Number(hours) * 3600);
  } else if (['0', '3600', '86400'].includes(grace)) {
    seconds = Number(grace);
  } else {
    return { ok: false, error: 'Grace period: choose one of the options.' };
  }
  return validate(() => parseInput(rollKeySchema, { gracePeriodSeconds: seconds }).gracePeriodSeconds ?? 0);
}
