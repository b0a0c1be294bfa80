import { HttpError } from '@routemcp/errors';
import { createKeySchema, parseInput, patchKeySchema, rollKeySchema } from '../keys/key-input.ts';
import type { RateLimit } from '@routemcp/internal-api';
import type { Environment } from '@routemcp/api-key';

export type FormResult<T> = { ok: true; value: T } | { ok: false; error: string };

const LABELS: readonly [RegExp, string][] = [
  [/^environment:/, 'Environment:'],
  [/^name:/, 'Name:'],
  [/^rateLimit\.capacity:/, 'Burst:'],
  [/^rateLimit\.refillPerSecond:/, 'Refill:'],
  [/^gracePeriodSeconds: .*/, 'Custom grace period: expected 0 to 168 hours'],
];

/** The shared validators (the JSON API's) with messages that name the form's labels. */
function validate<T>(run: () => T): FormResult<T> {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    let message = error.message;
    for (const [pattern, label] of LABELS) if (pattern.test(message)) message = message.replace(pattern, label);
    return { ok: false, error: message };
  }
}

const text = (form: URLSearchParams, name: string) => (form.get(name) ?? '').trim();

function limitsInput(form: URLSearchParams): FormResult<{ capacity: number; refillPerSecond: number } | null> {
  const capacity = text(form, 'capacity');
  const refill = text(form, 'refill');
  if (capacity === '' && refill === '') return { ok: true, value: null };
  if (capacity === '' || refill === '') return { ok: false, error: 'Rate limit: fill in both burst and refill, or neither.' };
  return { ok: true, value: { capacity: Number(capacity), refillPerSecond: Number(refill) } };
}

export function parseNewKeyForm(
  form: URLSearchParams,
): FormResult<{ environment: Environment; name: string | null; rateLimit: RateLimit | null }> {
  const limits = limitsInput(form);
  if (!limits.ok) return limits;
  return validate(() => {
    const body = parseInput(createKeySchema, {
      environment: form.get('environment') ?? undefined,
      name: text(form, 'name') === '' ? null : text(form, 'name'),
      rateLimit: limits.value,
    });
    return { environment: body.environment, name: body.name ?? null, rateLimit: body.rateLimit ?? null };
  });
}

export function parseEditForm(form: URLSearchParams): FormResult<{ name: string | null; rateLimit: RateLimit | null }> {
  const limits = limitsInput(form);
  if (!limits.ok) return limits;
  return validate(() => {
    const body = parseInput(patchKeySchema, {
      name: text(form, 'name') === '' ? null : text(form, 'name'),
      rateLimit: limits.value,
    });
    return { name: body.name ?? null, rateLimit: body.rateLimit ?? null };
  });
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
