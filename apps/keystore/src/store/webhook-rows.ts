import type {
  ClaimedDelivery,
  DeliveryRecord,
  DeliveryStatus,
  WebhookEventType,
  WebhookRecord,
} from '../webhooks/webhook-record.ts';

/** The `webhooks` and `webhook_deliveries` tables as both engines return them. */
export interface WebhookRow {
  id: string;
  account_id: string;
  url: string;
  events: string | null;
  description: string | null;
  secret: string;
  created_at: number;
  updated_at: number;
  disabled_at: number | null;
  failing_since: number | null;
}

export interface DeliveryRow {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  body: string;
  status: string;
  attempts: number;
  next_attempt_at: number | null;
  last_attempt_at: number | null;
  last_response_status: number | null;
  last_error: string | null;
  created_at: number;
}

export const WEBHOOK_COLUMNS =
  'id, account_id, url, events, description, secret, created_at, updated_at, disabled_at, failing_since';
export const DELIVERY_COLUMNS =
  'id, webhook_id, event_id, event_type, body, status, attempts, next_attempt_at, last_attempt_at, last_response_status, last_error, created_at';

export const eventsText = (events: readonly WebhookEventType[] | null): string | null =>
  events === null ? null : JSON.stringify(events);

export function toWebhook(row: WebhookRow | undefined): WebhookRecord | undefined {
  if (row === undefined) return undefined;
  return {
    id: row.id,
    accountId: row.account_id,
    url: row.url,
    events: row.events === null ? null : (JSON.parse(row.events) as WebhookEventType[]),
    description: row.description,
    secret: row.secret,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    disabledAt: row.disabled_at,
    failingSince: row.failing_since,
  };
}

export function toDelivery(row: DeliveryRow | undefined): DeliveryRecord | undefined {
  if (row === undefined) return undefined;
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    eventType: row.event_type as WebhookEventType,
    body: row.body,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastAttemptAt: row.last_attempt_at,
    lastResponseStatus: row.last_response_status,
    lastError: row.last_error,
    createdAt: row.created_at,
  };
}

/** What a claim reads: the delivery with its endpoint's URL and current secret. */
export interface ClaimRow {
  id: string;
  webhook_id: string;
  event_id: string;
  body: string;
  attempts: number;
  url: string;
  secret: string;
}

export function toClaim(row: ClaimRow, leaseUntil: number): ClaimedDelivery {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    body: row.body,
    attempts: row.attempts,
    url: row.url,
    secret: row.secret,
    leaseUntil,
  };
}
