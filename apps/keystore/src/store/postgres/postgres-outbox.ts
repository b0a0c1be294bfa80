import { newDeliveryId } from '../../ids.ts';
import { subscribes, type OutboxEvent } from '../../webhooks/webhook-record.ts';
import { toWebhook, WEBHOOK_COLUMNS, type WebhookRow } from '../webhook-rows.ts';
import type { Queryable } from './postgres-pool.ts';

/**
 * Puts `event` in the outbox: one due delivery per endpoint of its account
 * that subscribes to it. Call it with the transaction's client of the change
 * the event announces, so both commit or neither does. Returns rows written.
 */
export async function addToOutbox(db: Queryable, event: OutboxEvent, now: number): Promise<number> {
  const { rows } = await db.query<WebhookRow>(
    `SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE account_id = $1 AND disabled_at IS NULL ORDER BY ord`,
    [event.accountId],
  );
  const targets = rows.filter((row) => subscribes(toWebhook(row)!, event.type));
  if (targets.length === 0) return 0;
  await db.query(
    `INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, body, status, attempts, next_attempt_at, created_at)
     SELECT d.id, d.webhook_id, $3, $4, $5, 'pending', 0, $6, $6 FROM unnest($1::text[], $2::text[]) AS d(id, webhook_id)`,
    [targets.map(() => newDeliveryId()), targets.map((row) => row.id), event.id, event.type, event.body, now],
  );
  return targets.length;
}
