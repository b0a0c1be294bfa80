import { z } from 'zod';

/** What a webhook endpoint may subscribe to; each delivery's `type`. */
export const WEBHOOK_EVENT_TYPES = [
  'key.created',
  'key.updated',
  'key.rolled',
  'key.revoked',
  'key.expired',
  'key.leaked',
  'quota.warning',
  'quota.exceeded',
] as const;
export const webhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES, {
  error: `expected one of ${WEBHOOK_EVENT_TYPES.join(', ')}`,
});
export type WebhookEventType = z.infer<typeof webhookEventTypeSchema>;

/** Which key an event is about: never the key, never its hash. */
export const webhookKeyDataSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  environment: z.enum(['live', 'test']),
  hint: z.string().meta({ description: 'Prefix and last 4 characters, e.g. sk_live_…a1B2' }),
  accountId: z.string(),
  ownerId: z.string().nullable(),
  /** Who made the change: a user's email, `operator` (admin token), `cli`, or `system` (expiry, quotas). */
  actor: z.string(),
});

/**
 * The body of every delivery (Standard Webhooks' `{type,timestamp,data}`).
 * Events may add fields to `data` (`successorId` on key.rolled, `quota` on
 * quota.*): receivers must ignore what they do not know.
 */
export const webhookPayloadSchema = z
  .object({
    type: webhookEventTypeSchema,
    timestamp: z.iso.datetime({ offset: true }),
    data: webhookKeyDataSchema.loose(),
  })
  .meta({ id: 'WebhookPayload' });
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

/** The three Standard Webhooks headers on every delivery. */
export const WEBHOOK_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;
