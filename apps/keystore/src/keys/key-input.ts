import { z } from 'zod';
import { HttpError } from '@routemcp/errors';
import {
  allowedIpsSchema,
  metadataSchema,
  ownerIdSchema,
  permissionsSchema,
  quotaSchema,
  rateLimitsSchema,
} from '@routemcp/internal-api';
import { ACCOUNT_ID } from '../ids.ts';
import { KEY_STATUSES } from './key-record.ts';

const environment = z.enum(['live', 'test'], { error: 'expected "live" or "test"' });

const rateLimit = z
  .strictObject(
    {
      capacity: z
        .number({ error: 'expected an integer 1..1000000' })
        .int({ error: 'expected an integer 1..1000000' })
        .min(1, { error: 'expected an integer 1..1000000' })
        .max(1_000_000, { error: 'expected an integer 1..1000000' }),
      refillPerSecond: z
        .number({ error: 'expected a number > 0 and <= 1000000' })
        .gt(0, { error: 'expected a number > 0 and <= 1000000' })
        .max(1_000_000, { error: 'expected a number > 0 and <= 1000000' }),
    },
    { error: 'expected {"capacity","refillPerSecond"} or null' },
  )
  .nullable();

const name = z
  .string({ error: 'expected a string of at most 100 characters' })
  .max(100, { error: 'expected a string of at most 100 characters' })
  .nullable();

const accountId = z.string().regex(ACCOUNT_ID, { error: 'expected 1-64 characters from A-Z a-z 0-9 _ -' });

const isoTime = z.iso.datetime({ offset: true, error: 'expected an ISO-8601 time, e.g. 2026-12-01T00:00:00Z' });

/** The policy fields of POST and PATCH (issue 15): each optional, null clears; the grammar is the shared lib's. */
const policies = {
  permissions: permissionsSchema.nullable().optional(),
  allowedIps: allowedIpsSchema.nullable().optional(),
  ownerId: ownerIdSchema.nullable().optional(),
  rateLimits: rateLimitsSchema.nullable().optional(),
  quota: quotaSchema.nullable().optional(),
  metadata: metadataSchema.nullable().optional(),
};

export const createKeySchema = z.strictObject({
  environment,
  name: name.optional(),
  accountId: accountId.optional(),
  rateLimit: rateLimit.optional(),
  expiresAt: isoTime.nullable().optional(),
  ...policies,
});
export type CreateKeyBody = z.infer<typeof createKeySchema>;

export const patchKeySchema = z.strictObject({
  name: name.optional(),
  rateLimit: rateLimit.optional(),
  ...policies,
});
export type PatchKeyBody = z.infer<typeof patchKeySchema>;

export const rollKeySchema = z.strictObject({
  gracePeriodSeconds: z
    .number({ error: 'expected an integer 0..604800' })
    .int({ error: 'expected an integer 0..604800' })
    .min(0, { error: 'expected an integer 0..604800' })
    .max(604_800, { error: 'expected an integer 0..604800' })
    .optional(),
});

export const listQuerySchema = z.strictObject({
  accountId: accountId.optional(),
  environment: environment.optional(),
  status: z.enum(KEY_STATUSES, { error: `expected one of ${KEY_STATUSES.join(', ')}` }).optional(),
});

/** Parses or throws a 400 whose message names the field: `environment: expected "live" or "test"`. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new HttpError('BAD_REQUEST', describeIssue(result.error.issues[0]));
}

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (issue === undefined) return 'invalid request body';
  if (issue.code === 'unrecognized_keys') {
    return `${fieldName([...issue.path, issue.keys[0] ?? ''])}: unknown field`;
  }
  if (issue.path.length === 0) return `body: expected a JSON object`;
  return `${fieldName(issue.path)}: ${issue.message}`;
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/** A future expiry in epoch ms, or a 400 naming `field`. */
export function futureTime(value: string | null | undefined, now: number, field: string): number | null {
  if (value === undefined || value === null) return null;
  const ms = Date.parse(value);
  if (!(ms > now)) throw new HttpError('BAD_REQUEST', `${field}: expected a time in the future`);
  return ms;
}
