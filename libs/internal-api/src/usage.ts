import { z } from 'zod';

export const MAX_USAGE_ENTRIES = 10_000;

const count = z.number({ error: 'expected a non-negative integer' }).int().min(0).max(Number.MAX_SAFE_INTEGER);

/** One key's counts since the proxy's previous batch. */
export const usageEntrySchema = z.strictObject({
  keyId: z.string({ error: 'expected a key id' }).min(1).max(64),
  /** Requests that passed key verification, 429s included. */
  requests: count,
  /** Refused by a limit: RATE_LIMITED and QUOTA_EXCEEDED. */
  rateLimited: count,
  /** Let through to the upstream (what quotas count); absent: `requests - rateLimited` (an older proxy). */
  admitted: count.optional(),
  lastUsedAt: z.iso.datetime({ offset: true, error: 'expected an ISO-8601 time' }),
});

export type UsageEntry = z.infer<typeof usageEntrySchema>;

/** The body of `POST /internal/v1/usage`; answered 202 with `{ recorded }`. */
export const usageBatchSchema = z.strictObject({
  entries: z
    .array(usageEntrySchema, { error: 'expected an array' })
    .max(MAX_USAGE_ENTRIES, { error: `expected at most ${MAX_USAGE_ENTRIES} entries` }),
});

export type UsageBatch = z.infer<typeof usageBatchSchema>;

export const usageAcceptedSchema = z.object({ recorded: z.number().int().min(0) });

export const USAGE_PATH = '/internal/v1/usage';
