export {
  TARGET_REFUSALS,
  canonicalForm,
  canonicalTarget,
  isCanonical,
  pathOf,
  type CanonicalForm,
  type CanonicalPath,
  type CanonicalTarget,
  type TargetRefusal,
} from './canonical-target.ts';
export {
  EVENTS_PATH,
  EVENT_ID,
  KEY_EVENT_TYPES,
  RESET_REASONS,
  formatEventId,
  helloEventSchema,
  keyEventSchema,
  keyEventTypeSchema,
  parseEventId,
  resetEventSchema,
  type HelloEventData,
  type KeyEventData,
  type KeyEventType,
  type ResetReason,
} from './key-events.ts';
export {
  LEAK_LABELS,
  MAX_LEAK_SOURCE,
  MAX_LEAK_URL,
  keyLeakSchema,
  leakLabelSchema,
  leakSourceSchema,
  leakUrlSchema,
  type KeyLeakView,
  type LeakLabel,
} from './key-leak.ts';
export {
  KEY_HASH,
  keyHashSchema,
  keyLookupPath,
  keyLookupResponseSchema,
  keyLookupSchema,
  keyLookupStatusSchema,
  lookupQuotaSchema,
  type KeyLookup,
  type KeyLookupStatus,
  type LookupQuota,
} from './key-lookup.ts';
export {
  BUCKET_NAME,
  MAX_ALLOWED_IPS,
  MAX_METADATA_BYTES,
  MAX_PERMISSIONS,
  MAX_QUOTA_LIMIT,
  MAX_RATE_LIMITS,
  OWNER_ID,
  allowedIpsSchema,
  ipRangeSchema,
  lookupPermissionsSchema,
  lookupRateLimitsSchema,
  metadataSchema,
  ownerIdSchema,
  permissionSchema,
  permissionsSchema,
  quotaSchema,
  quotaShape,
  rateLimitBucketSchema,
  rateLimitBucketShape,
  rateLimitsSchema,
  type KeyMetadata,
  type Quota,
  type RateLimitBucket,
} from './key-policies.ts';
export { parseIpRange, type IpRange } from './ip-range.ts';
export { PERMISSION_FORMAT, normalisePermission, permissionProblem } from './permission.ts';
export { QUOTA_PERIODS, quotaPeriodEnd, quotaPeriodStart, type QuotaPeriod } from './quota-period.ts';
export { rateLimitSchema, type RateLimit } from './rate-limit.ts';
export {
  MAX_USAGE_ENTRIES,
  USAGE_PATH,
  usageAcceptedSchema,
  usageBatchSchema,
  usageEntrySchema,
  type UsageBatch,
  type UsageEntry,
} from './usage.ts';
export { ClientAddresses, toBlockList } from './client-address.ts';
export {
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_HEADERS,
  webhookEventTypeSchema,
  webhookKeyDataSchema,
  webhookPayloadSchema,
  type WebhookEventType,
  type WebhookPayload,
} from './webhook-events.ts';
