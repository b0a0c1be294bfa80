import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES, webhookEventTypeSchema } from '@routemcp/internal-api';
import { ACCOUNT_ID } from '../ids.ts';

const url = z
  .string({ error: 'expected an http:// or https:// URL of at most 2048 characters' })
  .max(2048, { error: 'expected an http:// or https:// URL of at most 2048 characters' });

const events = z
  .array(webhookEventTypeSchema, { error: `expected an array of event types (${WEBHOOK_EVENT_TYPES.join(', ')})` })
  .min(1, { error: 'expected at least one event type, or null for all of them' })
  .max(WEBHOOK_EVENT_TYPES.length)
  .transform((list) => [...new Set(list)])
  .meta({ description: 'Event types to receive; null or left out: all of them, including types added later.' });

const description = z
  .string({ error: 'expected a string of at most 200 characters' })
  .max(200, { error: 'expected a string of at most 200 characters' });

export const createWebhookSchema = z.strictObject({
  url,
  events: events.nullable().optional(),
  description: description.nullable().optional(),
  accountId: z
    .string()
    .regex(ACCOUNT_ID, { error: 'expected 1-64 characters from A-Z a-z 0-9 _ -' })
    .optional()
    .meta({ description: 'Admin token only: whose key events it receives (default: the default account).' }),
});
export type CreateWebhookBody = z.infer<typeof createWebhookSchema>;

export const patchWebhookSchema = z.strictObject({
  url: url.optional(),
  events: events.nullable().optional(),
  description: description.nullable().optional(),
  disabled: z
    .boolean({ error: 'expected true or false' })
    .optional()
    .meta({ description: 'true: stop deliveries; false: start again (also after it was disabled for failing).' }),
});
