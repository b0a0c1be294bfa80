import type { KeyPolicies } from '../keys/key-record.ts';

/** The form's names for the policy fields (`quota` is three controls). */
export const POLICY_FORM_FIELDS = [
  'ownerId',
  'permissions',
  'allowedIps',
  'rateLimits',
  'quotaLimit',
  'quotaPeriod',
  'quotaShared',
  'metadata',
] as const;

export type PolicyFormValues = Partial<Record<(typeof POLICY_FORM_FIELDS)[number], string>>;

/** For each list field, the textarea line each item came from (blank lines are skipped, yet counted). */
export type LineMap = Partial<Record<'permissions' | 'allowedIps' | 'rateLimits', number[]>>;

export type PolicyFields = { ok: true; body: Record<string, unknown>; lines: LineMap } | { ok: false; error: string };

const BUCKET_LINE = 'name burst refill-per-second [shared] [shadow]';

function lines(text: string): { text: string; line: number }[] {
  return text
    .split(/\r?\n/)
    .map((line, i) => ({ text: line.trim(), line: i + 1 }))
    .filter((entry) => entry.text !== '');
}

/**
 * The form's policy controls as JSON API body fields, each null when left
 * empty (the form always shows every field, so empty means "none"). The
 * API's validators check the values next; `formMessage` puts their messages
 * in the form's words.
 */
export function readPolicyFields(form: URLSearchParams): PolicyFields {
  const get = (name: string) => (form.get(name) ?? '').trim();
  const map: LineMap = {};
  const list = (name: 'permissions' | 'allowedIps') => {
    const entries = lines(form.get(name) ?? '');
    map[name] = entries.map((entry) => entry.line);
    return entries.length === 0 ? null : entries.map((entry) => entry.text);
  };
  const body: Record<string, unknown> = {
    ownerId: get('ownerId') === '' ? null : get('ownerId'),
    permissions: list('permissions'),
    allowedIps: list('allowedIps'),
  };

  const buckets = lines(form.get('rateLimits') ?? '');
  map.rateLimits = buckets.map((entry) => entry.line);
  const parsed: Record<string, unknown>[] = [];
  for (const { text, line } of buckets) {
    const [name, capacity, refill, ...modes] = text.split(/\s+/);
    const unknown = modes.find((mode) => mode !== 'shared' && mode !== 'shadow');
    if (refill === undefined || unknown !== undefined) {
      return { ok: false, error: `Rate limit buckets, line ${line}: expected "${BUCKET_LINE}"` };
    }
    parsed.push({
      name,
      capacity: Number(capacity),
      refillPerSecond: Number(refill),
      shared: modes.includes('shared'),
      shadow: modes.includes('shadow'),
    });
  }
  body.rateLimits = parsed.length === 0 ? null : parsed;

  const limit = get('quotaLimit');
  body.quota =
    limit === ''
      ? null
      : { limit: Number(limit), period: get('quotaPeriod'), shared: form.get('quotaShared') === 'on' };

  const metadata = get('metadata');
  if (metadata === '') body.metadata = null;
  else {
    try {
      body.metadata = JSON.parse(metadata) as unknown;
    } catch {
      return { ok: false, error: 'Metadata: expected a JSON object, e.g. {"plan": "pro"}' };
    }
  }
  return { ok: true, body, lines: map };
}

const LIST_LABELS = {
  permissions: 'Permissions',
  allowedIps: 'Allowed IP addresses',
  rateLimits: 'Rate limit buckets',
};
const FIELD_LABELS: readonly [RegExp, string][] = [
  [/^rateLimit, rateLimits:/, 'Rate limit and Rate limit buckets:'],
  [/^ownerId:/, 'Owner:'],
  [/^quota\.limit:/, 'Quota limit:'],
  [/^quota\.period:/, 'Quota period:'],
  [/^quota:/, 'Quota:'],
  [/^metadata:/, 'Metadata:'],
];

/** `permissions.1: …` → `Permissions, line 3: …`: the API's messages in the form's labels and lines. */
export function formMessage(message: string, map: LineMap): string {
  const item = /^(permissions|allowedIps|rateLimits)(?:\.(\d+))?(?:\.(\w+))?: /.exec(message);
  if (item !== null) {
    const field = item[1] as keyof typeof LIST_LABELS;
    const line = item[2] === undefined ? undefined : map[field]?.[Number(item[2])];
    const where = line === undefined ? '' : `, line ${line}`;
    const part = item[3] === undefined ? '' : ` (${item[3]})`;
    return `${LIST_LABELS[field]}${where}${part}: ${message.slice(item[0].length)}`;
  }
  for (const [pattern, label] of FIELD_LABELS) if (pattern.test(message)) return message.replace(pattern, label);
  return message;
}

/** A key's policies as the form shows them, for editing. */
export function policyFormValues(key: KeyPolicies): PolicyFormValues {
  return {
    ownerId: key.ownerId ?? '',
    permissions: (key.permissions ?? []).join('\n'),
    allowedIps: (key.allowedIps ?? []).join('\n'),
    rateLimits: (key.rateLimits ?? [])
      .map((b) =>
        [b.name, b.capacity, b.refillPerSecond, b.shared ? 'shared' : '', b.shadow ? 'shadow' : '']
          .filter((part) => part !== '')
          .join(' '),
      )
      .join('\n'),
    quotaLimit: key.quota === null ? '' : String(key.quota.limit),
    quotaPeriod: key.quota?.period ?? 'month',
    quotaShared: key.quota?.shared === true ? 'on' : '',
    metadata: key.metadata === null ? '' : JSON.stringify(key.metadata, null, 2),
  };
}
