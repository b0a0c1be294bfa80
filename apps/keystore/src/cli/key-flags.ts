import type { ParseArgsConfig } from 'node:util';

/** Input mistakes: printed as one line, exit code 1, never a stack trace. */
export class UsageError extends Error {}

export type Flags = Record<string, string | boolean | string[] | undefined>;

/** The settings a key takes on create and update; each maps onto a field of the JSON API. */
export const SETTING_OPTIONS = {
  name: { type: 'string' },
  capacity: { type: 'string' },
  refill: { type: 'string' },
  owner: { type: 'string' },
  permission: { type: 'string', multiple: true },
  'allowed-ip': { type: 'string', multiple: true },
  'rate-limit': { type: 'string', multiple: true },
  'quota-limit': { type: 'string' },
  'quota-period': { type: 'string' },
  'quota-shared': { type: 'boolean' },
  metadata: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** `update --clear <what>`: the flag-style name of each field that can be reset. */
export const CLEARABLE: Record<string, string> = {
  name: 'name',
  'rate-limit': 'rateLimit',
  owner: 'ownerId',
  permissions: 'permissions',
  'allowed-ips': 'allowedIps',
  'rate-limits': 'rateLimits',
  quota: 'quota',
  metadata: 'metadata',
};

const BUCKET = 'NAME:CAPACITY:REFILL[:shared][:shadow]';

/**
 * The JSON API's body fields for the settings flags that were given (only
 * those: on update a missing flag leaves the field alone). Values go to the
 * API's own validators next, which name the field when one is wrong.
 */
export function settingsBody(flags: Flags): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const text = (name: string) => flags[name] as string | undefined;
  const list = (name: string) => flags[name] as string[] | undefined;
  if (text('name') !== undefined) body.name = text('name');

  const capacity = text('capacity');
  const refill = text('refill');
  if ((capacity === undefined) !== (refill === undefined)) throw new UsageError('--capacity and --refill go together');
  if (capacity !== undefined) body.rateLimit = { capacity: Number(capacity), refillPerSecond: Number(refill) };

  if (text('owner') !== undefined) body.ownerId = text('owner');
  if (list('permission') !== undefined) body.permissions = list('permission');
  if (list('allowed-ip') !== undefined) body.allowedIps = list('allowed-ip');
  if (list('rate-limit') !== undefined) body.rateLimits = list('rate-limit')?.map(bucket);

  const limit = text('quota-limit');
  const period = text('quota-period');
  if ((limit === undefined) !== (period === undefined)) {
    throw new UsageError('--quota-limit and --quota-period go together');
  }
  if (flags['quota-shared'] === true && limit === undefined) {
    throw new UsageError('--quota-shared needs --quota-limit and --quota-period');
  }
  if (limit !== undefined) body.quota = { limit: Number(limit), period, shared: flags['quota-shared'] === true };

  const metadata = text('metadata');
  if (metadata !== undefined) {
    try {
      body.metadata = JSON.parse(metadata) as unknown;
    } catch {
      throw new UsageError('--metadata: expected a JSON object, e.g. \'{"plan":"pro"}\'');
    }
  }
  return body;
}

/** `burst:10:5:shared` → `{"name":"burst","capacity":10,"refillPerSecond":5,"shared":true}`. */
function bucket(spec: string): Record<string, unknown> {
  const [name, capacity, refill, ...flags] = spec.split(':');
  if (name === undefined || capacity === undefined || refill === undefined) {
    throw new UsageError(`--rate-limit "${spec}": expected ${BUCKET}`);
  }
  const unknown = flags.find((flag) => flag !== 'shared' && flag !== 'shadow');
  if (unknown !== undefined) throw new UsageError(`--rate-limit "${spec}": "${unknown}" is not shared or shadow`);
  return {
    name,
    capacity: Number(capacity),
    refillPerSecond: Number(refill),
    shared: flags.includes('shared'),
    shadow: flags.includes('shadow'),
  };
}

/** `--clear` values as body fields set to null. */
export function clearedBody(values: readonly string[], set: Record<string, unknown>): Record<string, null> {
  const body: Record<string, null> = {};
  for (const value of values) {
    const field = CLEARABLE[value];
    if (field === undefined) {
      throw new UsageError(`--clear: "${value}" is not one of ${Object.keys(CLEARABLE).join(', ')}`);
    }
    if (field in set) throw new UsageError(`--clear ${value}: that field is also being set`);
    body[field] = null;
  }
  return body;
}

const ordinal = (index: string | undefined) => (index === undefined ? '' : ` #${Number(index) + 1}`);

const FLAG_NAMES: readonly [RegExp, (match: string, ...groups: (string | undefined)[]) => string][] = [
  [/^environment:/, () => '--env:'],
  [/^accountId:/, () => '--account:'],
  [/^name:/, () => '--name:'],
  [/^expiresAt:/, () => '--expires-at:'],
  [/^rateLimit\.capacity:/, () => '--capacity:'],
  [/^rateLimit\.refillPerSecond:/, () => '--refill:'],
  [/^rateLimit, rateLimits:/, () => '--capacity/--refill and --rate-limit:'],
  [/^gracePeriodSeconds:/, () => '--grace-seconds:'],
  [/^ownerId:/, () => '--owner:'],
  [/^permissions(?:\.(\d+))?:/, (_m, i) => `--permission${ordinal(i)}:`],
  [/^allowedIps(?:\.(\d+))?:/, (_m, i) => `--allowed-ip${ordinal(i)}:`],
  [/^rateLimits(?:\.(\d+))?(?:\.(\w+))?:/, (_m, i, field) => `--rate-limit${ordinal(i)}${field ? ` ${field}` : ''}:`],
  [/^quota\.limit:/, () => '--quota-limit:'],
  [/^quota\.period:/, () => '--quota-period:'],
  [/^quota:/, () => '--quota-limit/--quota-period:'],
  [/^metadata:/, () => '--metadata:'],
];

/** The shared validators name JSON fields; on the command line the flag is what the operator typed. */
export function flagNames(message: string): string {
  for (const [pattern, flag] of FLAG_NAMES) {
    if (pattern.test(message))
      return message.replace(pattern, flag as (substring: string, ...args: unknown[]) => string);
  }
  return message;
}
