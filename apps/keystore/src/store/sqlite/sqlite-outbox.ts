import type { DatabaseSync } from 'node:sqlite';
import { newDeliveryId } from '../../ids.ts';
import { subscribes, type OutboxEvent } from '../../webhooks/webhook-record.ts';
import { toWebhook, WEBHOOK_COLUMNS, type WebhookRow } from '../webhook-rows.ts';

/**
 * Puts `event` in the outbox: one due delivery per endpoint of its account
 * that subscribes to it. Call it inside the transaction of the change the
 * event announces, so both commit or neither does. Returns rows written.
 */
export function addToOutbox(db: DatabaseSync, event: OutboxEvent, now: number): number {
  const rows = db
    .prepare(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE account_id = ? AND disabled_at IS NULL`)
    .all(event.accountId) as unknown as WebhookRow[];
  const insert = db.prepare(
    `INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, body, status, attempts, next_attempt_at, created_at)
     VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
  );
  let written = 0;
  for (const row of rows) {
    if (!subscribes(toWebhook(row)!, event.type)) continue;
    insert.run(newDeliveryId(), row.id, event.id, event.type, event.body, now, now);
    written++;
  }
  return written;
}
