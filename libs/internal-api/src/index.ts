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
  KEY_HASH,
  keyHashSchema,
  keyLookupPath,
  keyLookupResponseSchema,
  keyLookupSchema,
  keyLookupStatusSchema,
  type KeyLookup,
  type KeyLookupStatus,
} from './key-lookup.ts';
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
