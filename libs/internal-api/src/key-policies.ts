import { z } from 'zod';
import { parseIpRange } from './ip-range.ts';
import { normalisePermission, permissionProblem, permissionSyntaxProblem, PERMISSION_FORMAT } from './permission.ts';
import { QUOTA_PERIODS } from './quota-period.ts';

export const MAX_PERMISSIONS = 100;
export const MAX_ALLOWED_IPS = 100;
export const MAX_RATE_LIMITS = 10;
export const MAX_METADATA_BYTES = 1024;
export const MAX_QUOTA_LIMIT = 1_000_000_000_000;
export const OWNER_ID = /^[A-Za-z0-9._:@-]{1,64}$/;
export const BUCKET_NAME = /^[a-z0-9_-]{1,32}$/;

const list = <T extends z.ZodType>(item: T, max: number, what: string) => {
  const error = `expected an array of 1..${max} ${what}, or null`;
  return z.array(item, { error }).min(1, { error }).max(max, { error });
};

const permissionText = (problemOf: (text: string) => string | undefined) =>
  z
    .string({ error: `expected ${PERMISSION_FORMAT}` })
    .superRefine((value, ctx) => {
      const problem = problemOf(value);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    })
    .overwrite(normalisePermission)
    .meta({ description: `${PERMISSION_FORMAT}, e.g. "GET /api/v1/contacts" or "* /api/v1/**"` });

/** `"METHOD /path"` with a canonical path, stored normalised (method upper-cased, one space). */
export const permissionSchema = permissionText(permissionProblem);

export const permissionsSchema = list(permissionSchema, MAX_PERMISSIONS, 'permissions').meta({
  description: 'What the key may call; null: everything. Outside the list the proxy answers 403 FORBIDDEN.',
});

/**
 * What the proxy receives: any well-formed permission, canonical or not, so a
 * key saved before paths had to be canonical still looks up (its permission
 * is canonicalised by the proxy, or matches nothing) instead of failing the
 * whole lookup.
 */
export const lookupPermissionsSchema = list(permissionText(permissionSyntaxProblem), MAX_PERMISSIONS, 'permissions');

/** An IPv4/IPv6 address or CIDR, stored in canonical text. */
export const ipRangeSchema = z
  .string({ error: 'expected an IPv4/IPv6 address or CIDR' })
  .superRefine((value, ctx) => {
    const range = parseIpRange(value);
    if (!range.ok) ctx.addIssue({ code: 'custom', message: range.error });
  })
  .overwrite((value) => {
    const range = parseIpRange(value);
    return range.ok ? range.canonical : value;
  })
  .meta({ description: 'An IPv4/IPv6 address or CIDR, e.g. "203.0.113.7", "10.0.0.0/8", "2001:db8::/32"' });

export const allowedIpsSchema = list(ipRangeSchema, MAX_ALLOWED_IPS, 'addresses or CIDRs').meta({
  description: 'Client addresses the key works from; null: anywhere. Outside the list the proxy answers 403 FORBIDDEN.',
});

export const ownerIdSchema = z
  .string({ error: 'expected 1-64 characters from A-Z a-z 0-9 . _ : @ -' })
  .regex(OWNER_ID, { error: 'expected 1-64 characters from A-Z a-z 0-9 . _ : @ -' })
  .meta({
    description: 'The customer the key belongs to; forwarded as X-RouteMCP-Owner-Id; shared limits count per owner.',
  });

const capacity = z
  .number({ error: 'expected an integer 1..1000000' })
  .int({ error: 'expected an integer 1..1000000' })
  .min(1, { error: 'expected an integer 1..1000000' })
  .max(1_000_000, { error: 'expected an integer 1..1000000' });
const refillPerSecond = z
  .number({ error: 'expected a number > 0 and <= 1000000' })
  .gt(0, { error: 'expected a number > 0 and <= 1000000' })
  .max(1_000_000, { error: 'expected a number > 0 and <= 1000000' });
const flag = (description: string) =>
  z.boolean({ error: 'expected true or false' }).default(false).meta({ description });

export const rateLimitBucketShape = {
  name: z
    .string({ error: 'expected 1-32 characters from a-z 0-9 _ -' })
    .regex(BUCKET_NAME, { error: 'expected 1-32 characters from a-z 0-9 _ -' }),
  capacity,
  refillPerSecond,
  shared: flag('One bucket for every key of the ownerId (requires ownerId).'),
  shadow: flag('Counted and reported in headers and metrics, never refuses.'),
};

export const rateLimitBucketSchema = z.strictObject(rateLimitBucketShape, {
  error: 'expected {"name","capacity","refillPerSecond","shared"?,"shadow"?}',
});
export type RateLimitBucket = z.infer<typeof rateLimitBucketSchema>;

function bucketList<T extends z.ZodType<{ name: string }>>(bucket: T) {
  return list(bucket, MAX_RATE_LIMITS, 'buckets').superRefine((buckets, ctx) => {
    const seen = new Set<string>();
    buckets.forEach((bucket, i) => {
      if (seen.has(bucket.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: 'duplicate bucket name' });
      seen.add(bucket.name);
    });
  });
}

export const rateLimitsSchema = bucketList(rateLimitBucketSchema).meta({
  description: 'Named token buckets; every one must admit a request. null: only rateLimit (or the default) applies.',
});

export const quotaShape = {
  limit: z
    .number({ error: 'expected an integer 1..1000000000000' })
    .int({ error: 'expected an integer 1..1000000000000' })
    .min(1, { error: 'expected an integer 1..1000000000000' })
    .max(MAX_QUOTA_LIMIT, { error: 'expected an integer 1..1000000000000' }),
  period: z.enum(QUOTA_PERIODS, { error: 'expected "day", "month" or "total"' }),
  shared: flag('Counted over every key of the ownerId (requires ownerId).'),
};

export const quotaSchema = z
  .strictObject(quotaShape, { error: 'expected {"limit","period","shared"?} or null' })
  .meta({ description: 'Requests admitted per UTC period; past it the proxy answers 429 QUOTA_EXCEEDED.' });
export type Quota = z.infer<typeof quotaSchema>;

// Values are z.unknown(), not z.json(): they always come out of JSON.parse (a body, a row), and the
// document shows a plain object instead of a recursive JSON type.
export const metadataSchema = z
  .record(z.string(), z.unknown(), { error: `expected a JSON object of at most ${MAX_METADATA_BYTES} bytes, or null` })
  .superRefine((value, ctx) => {
    if (Buffer.byteLength(JSON.stringify(value)) > MAX_METADATA_BYTES) {
      ctx.addIssue({ code: 'custom', message: `expected at most ${MAX_METADATA_BYTES} bytes of JSON` });
    }
  })
  .meta({ description: 'Forwarded to the upstream as X-RouteMCP-Key-Meta (base64url of this JSON).' });
export type KeyMetadata = z.infer<typeof metadataSchema>;

/** What the proxy receives per bucket; not strict, so a newer keystore's extra fields do not break an older proxy. */
export const lookupRateLimitsSchema = bucketList(z.object(rateLimitBucketShape));
