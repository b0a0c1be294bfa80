import type { WebhookEventType } from '@routemcp/internal-api';
import { newEventId } from '../ids.ts';
import type { KeyLeak, LeakActionName, StoredKey } from '../keys/key-record.ts';

export type { WebhookEventType };

/** A receiver. The secret signs; it leaves the keystore only in the answers to create and rotate. */
export interface WebhookRecord {
  id: string;
  accountId: string;
  url: string;
  /** Null: every event type. */
  events: WebhookEventType[] | null;
  description: string | null;
  /** `whsec_` + base64 of 24 random bytes. */
  secret: string;
  createdAt: number;
  updatedAt: number;
  /** Set when it was turned off: by PATCH, or by DISABLE_AFTER_MS of failures in a row. */
  disabledAt: number | null;
  /** When the current run of failed attempts began; null after any success. */
  failingSince: number | null;
}

export type NewWebhook = Pick<WebhookRecord, 'id' | 'accountId' | 'url' | 'events' | 'description' | 'secret'>;

/** Fields left out stay as they are. */
export interface WebhookPatch {
  url?: string;
  events?: WebhookEventType[] | null;
  description?: string | null;
  /** false turns a disabled endpoint on again (and forgets its failures). */
  disabled?: boolean;
}

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One event for one endpoint: the outbox row, and where its delivery stands. */
export interface DeliveryRecord {
  id: string;
  webhookId: string;
  /** The `webhook-id` header: the same on every attempt, and for every endpoint the event goes to. */
  eventId: string;
  eventType: WebhookEventType;
  /** The exact bytes every attempt sends (and signs). */
  body: string;
  status: DeliveryStatus;
  attempts: number;
  /** Null once it succeeded or failed for good. */
  nextAttemptAt: number | null;
  lastAttemptAt: number | null;
  lastResponseStatus: number | null;
  /** Why the last attempt failed without a response (timeout, refused address…); never a secret. */
  lastError: string | null;
  createdAt: number;
}

/** A due delivery taken by one dispatcher until `leaseUntil`; the lease is its token for recording the outcome. */
export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  eventId: string;
  body: string;
  attempts: number;
  url: string;
  secret: string;
  leaseUntil: number;
}

/** An event on its way into the outbox: one delivery row per endpoint of its account that subscribes to it. */
export interface OutboxEvent {
  id: string;
  accountId: string;
  type: WebhookEventType;
  body: string;
}

/**
 * Waits after failed attempt 1, 2, …: the Standard Webhooks schedule. After
 * the last one fails the delivery is `failed` (11 attempts in about 28 h).
 */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  1000,
  5000,
  30_000,
  2 * 60_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

/** Ended deliveries are kept this long for the deliveries list and retries, then pruned. */
export const DELIVERY_RETENTION_MS = 30 * 86_400_000;

/** An endpoint whose attempts have all failed for this long is disabled (and the audit log says so). */
export const DISABLE_AFTER_MS = 5 * 86_400_000;

export type AttemptOutcome =
  { ok: true; responseStatus: number } | { ok: false; responseStatus: number | null; error: string | null };

/** Where a delivery stands after attempt number `attempts` (1-based) ended with `outcome`. */
export function afterAttempt(
  attempts: number,
  outcome: AttemptOutcome,
  now: number,
  schedule: readonly number[] = RETRY_SCHEDULE_MS,
): Pick<DeliveryRecord, 'status' | 'attempts' | 'nextAttemptAt'> {
  if (outcome.ok) return { status: 'succeeded', attempts, nextAttemptAt: null };
  const wait = schedule[attempts - 1];
  if (wait === undefined) return { status: 'failed', attempts, nextAttemptAt: null };
  return { status: 'pending', attempts, nextAttemptAt: now + wait };
}

/** Whether a run of failures that began at `failingSince` has lasted long enough to turn the endpoint off. */
export function shouldDisable(failingSince: number, now: number, disableAfterMs = DISABLE_AFTER_MS): boolean {
  return now - failingSince >= disableAfterMs;
}

export function subscribes(webhook: Pick<WebhookRecord, 'events' | 'disabledAt'>, type: WebhookEventType): boolean {
  return webhook.disabledAt === null && (webhook.events === null || webhook.events.includes(type));
}

/** Who changed a key when no person did: the expiry sweep, a quota crossing. */
export const SYSTEM_ACTOR = 'system';

/**
 * The outbox entry for an event about `key`: Standard Webhooks' body, with
 * what identifies the key to a receiver and never the key or its hash.
 */
export function keyWebhookEvent(
  type: WebhookEventType,
  key: StoredKey,
  actor: string,
  at: number,
  extra: Record<string, unknown> = {},
): OutboxEvent {
  const data = {
    id: key.id,
    name: key.name,
    environment: key.environment,
    hint: key.hint,
    accountId: key.accountId,
    ownerId: key.ownerId,
    actor,
    ...extra,
  };
  return {
    id: newEventId(),
    accountId: key.accountId,
    type,
    body: JSON.stringify({ type, timestamp: new Date(at).toISOString(), data }),
  };
}

/** The endpoint as `patch` leaves it; turning it on again forgets its failure run. */
export function patchedWebhook(current: WebhookRecord, patch: WebhookPatch, now: number): WebhookRecord {
  const next: WebhookRecord = { ...current, updatedAt: now };
  if (patch.url !== undefined) next.url = patch.url;
  if (patch.events !== undefined) next.events = patch.events;
  if (patch.description !== undefined) next.description = patch.description;
  if (patch.disabled === true && current.disabledAt === null) next.disabledAt = now;
  if (patch.disabled === false) {
    next.disabledAt = null;
    next.failingSince = null;
  }
  return next;
}

/** `key.leaked`'s extra data: where the key was found and what was done about it (`key` carries the result). */
export function leakEventData(leak: KeyLeak, action: LeakActionName): Record<string, unknown> {
  return { leak: { at: new Date(leak.at).toISOString(), url: leak.url, source: leak.source }, action };
}
