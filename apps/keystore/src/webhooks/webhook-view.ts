import { z } from 'zod';
import { webhookEventTypeSchema } from '@routemcp/internal-api';
import { DELIVERY_STATUSES, type DeliveryRecord, type WebhookRecord } from './webhook-record.ts';

const isoTime = z.iso.datetime({ offset: true });
const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** An endpoint as the API shows it: never its secret. */
export const webhookViewSchema = z
  .object({
    id: z.string().meta({ example: 'wh_3hV9cM0XzRk2aQpL7sWbYt1E' }),
    accountId: z.string(),
    url: z.string(),
    events: z.array(webhookEventTypeSchema).nullable().meta({ description: 'null: every event type.' }),
    description: z.string().nullable(),
    status: z.enum(['enabled', 'disabled']),
    disabledAt: isoTime.nullable(),
    failingSince: isoTime.nullable().meta({ description: 'Start of the current run of failed attempts.' }),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: 'Webhook' });
export type WebhookView = z.infer<typeof webhookViewSchema>;

/** The two answers that carry the signing secret: create and rotate-secret. */
export const webhookWithSecretSchema = webhookViewSchema
  .extend({
    secret: z.string().meta({
      description: 'whsec_ + base64 of 32 bytes: the Standard Webhooks signing key. Shown only in this answer.',
    }),
  })
  .meta({ id: 'WebhookWithSecret' });

export const deliveryViewSchema = z
  .object({
    id: z.string().meta({ example: 'dlv_9dK2mQ7rT1xZ4bN8vC3pL6sW' }),
    webhookId: z.string(),
    eventId: z.string().meta({ description: 'The webhook-id header: the same on every attempt.' }),
    eventType: webhookEventTypeSchema,
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int().min(0),
    nextAttemptAt: isoTime.nullable(),
    lastAttemptAt: isoTime.nullable(),
    lastResponseStatus: z.number().int().nullable().meta({ description: "The receiver's last HTTP status." }),
    lastError: z.string().nullable().meta({ description: 'Why the last attempt got no answer (timed out, refused…).' }),
    createdAt: isoTime,
  })
  .meta({ id: 'WebhookDelivery' });
export type DeliveryView = z.infer<typeof deliveryViewSchema>;

export function toWebhookView(webhook: WebhookRecord): WebhookView {
  return {
    id: webhook.id,
    accountId: webhook.accountId,
    url: webhook.url,
    events: webhook.events,
    description: webhook.description,
    status: webhook.disabledAt === null ? 'enabled' : 'disabled',
    disabledAt: isoOrNull(webhook.disabledAt),
    failingSince: isoOrNull(webhook.failingSince),
    createdAt: iso(webhook.createdAt),
    updatedAt: iso(webhook.updatedAt),
  };
}

export function toDeliveryView(delivery: DeliveryRecord): DeliveryView {
  return {
    id: delivery.id,
    webhookId: delivery.webhookId,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts,
    nextAttemptAt: isoOrNull(delivery.nextAttemptAt),
    lastAttemptAt: isoOrNull(delivery.lastAttemptAt),
    lastResponseStatus: delivery.lastResponseStatus,
    lastError: delivery.lastError,
    createdAt: iso(delivery.createdAt),
  };
}
