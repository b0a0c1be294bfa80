import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { AttemptRecord, WebhookStore } from '../../webhooks/webhook-store.ts';
import {
  patchedWebhook,
  shouldDisable,
  type ClaimedDelivery,
  type DeliveryRecord,
  type NewWebhook,
  type OutboxEvent,
  type WebhookPatch,
  type WebhookRecord,
} from '../../webhooks/webhook-record.ts';
import {
  DELIVERY_COLUMNS,
  eventsText,
  toClaim,
  toDelivery,
  toWebhook,
  WEBHOOK_COLUMNS,
  type ClaimRow,
  type DeliveryRow,
  type WebhookRow,
} from '../webhook-rows.ts';
import { addToOutbox } from './sqlite-outbox.ts';
import { immediateTransaction, StatementCache } from './sqlite-connection.ts';

/** Webhooks over the keystore's SQLite connection: one process dispatches, so a claim needs no row locks. */
export class SqliteWebhookStore implements WebhookStore {
  readonly #db: DatabaseSync;
  readonly #statements: StatementCache;

  constructor(options: { db: DatabaseSync }) {
    this.#db = options.db;
    this.#statements = new StatementCache(this.#db);
  }

  async createWebhook(webhook: NewWebhook, now: number): Promise<WebhookRecord> {
    this.#stmt(
      `INSERT INTO webhooks (id, account_id, url, events, description, secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      webhook.id,
      webhook.accountId,
      webhook.url,
      eventsText(webhook.events),
      webhook.description,
      webhook.secret,
      now,
      now,
    );
    return { ...webhook, createdAt: now, updatedAt: now, disabledAt: null, failingSince: null };
  }

  async getWebhook(id: string): Promise<WebhookRecord | undefined> {
    return this.#get(id);
  }

  async listWebhooks(accountId: string | undefined): Promise<WebhookRecord[]> {
    const rows = (accountId === undefined
      ? this.#stmt(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks ORDER BY created_at, rowid`).all()
      : this.#stmt(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE account_id = ? ORDER BY created_at, rowid`).all(
          accountId,
        )) as unknown as WebhookRow[];
    return rows.map((row) => toWebhook(row)!);
  }

  async updateWebhook(id: string, patch: WebhookPatch, now: number): Promise<WebhookRecord | undefined> {
    return this.#transaction(() => {
      const current = this.#get(id);
      if (current === undefined) return undefined;
      const next = patchedWebhook(current, patch, now);
      this.#stmt(
        'UPDATE webhooks SET url = ?, events = ?, description = ?, updated_at = ?, disabled_at = ?, failing_since = ? WHERE id = ?',
      ).run(next.url, eventsText(next.events), next.description, now, next.disabledAt, next.failingSince, id);
      return next;
    });
  }

  async setSecret(id: string, secret: string, now: number): Promise<WebhookRecord | undefined> {
    this.#stmt('UPDATE webhooks SET secret = ?, updated_at = ? WHERE id = ?').run(secret, now, id);
    return this.#get(id);
  }

  async deleteWebhook(id: string): Promise<boolean> {
    return this.#stmt('DELETE FROM webhooks WHERE id = ?').run(id).changes > 0;
  }

  async listDeliveries(webhookId: string, limit: number): Promise<DeliveryRecord[]> {
    const rows = this.#stmt(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?`,
    ).all(webhookId, limit) as unknown as DeliveryRow[];
    return rows.map((row) => toDelivery(row)!);
  }

  async getDelivery(id: string): Promise<DeliveryRecord | undefined> {
    return this.#delivery(id);
  }

  async retryDelivery(id: string, now: number): Promise<DeliveryRecord | undefined> {
    this.#stmt(
      "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?, lease_until = NULL WHERE id = ?",
    ).run(now, id);
    return this.#delivery(id);
  }

  async pruneDeliveries(before: number): Promise<number> {
    const ended = "status <> 'pending' AND created_at < ?";
    // Looked at first: maintenance runs every second and must not take the write lock for nothing.
    if (this.#stmt(`SELECT 1 FROM webhook_deliveries WHERE ${ended} LIMIT 1`).get(before) === undefined) return 0;
    return Number(this.#stmt(`DELETE FROM webhook_deliveries WHERE ${ended}`).run(before).changes);
  }

  async enqueue(event: OutboxEvent, now: number): Promise<number> {
    return this.#transaction(() => addToOutbox(this.#db, event, now));
  }

  async claimDue(now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
    const due = `SELECT d.id, d.webhook_id, d.event_id, d.body, d.attempts, w.url, w.secret
      FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
      WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until <= ?)
        AND w.disabled_at IS NULL
      ORDER BY d.next_attempt_at, d.rowid LIMIT ?`;
    // Looked at outside a transaction first: this runs every second and must not take the write lock for nothing.
    if (this.#stmt(due).get(now, now, 1) === undefined) return [];
    return this.#transaction(() => {
      const rows = this.#stmt(due).all(now, now, limit) as unknown as ClaimRow[];
      const lease = this.#stmt('UPDATE webhook_deliveries SET lease_until = ? WHERE id = ?');
      for (const row of rows) lease.run(now + leaseMs, row.id);
      return rows.map((row) => toClaim(row, now + leaseMs));
    });
  }

  async finishAttempt(claim: ClaimedDelivery, record: AttemptRecord, now: number): Promise<WebhookRecord | undefined> {
    return this.#transaction(() => {
      const { changes } = this.#stmt(
        `UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, lease_until = NULL,
           last_attempt_at = ?, last_response_status = ?, last_error = ?
         WHERE id = ? AND lease_until = ?`,
      ).run(
        record.status,
        record.attempts,
        record.nextAttemptAt,
        now,
        record.outcome.responseStatus,
        record.outcome.ok ? null : record.outcome.error,
        claim.id,
        claim.leaseUntil,
      );
      if (changes === 0) return undefined;
      if (record.outcome.ok) {
        this.#stmt('UPDATE webhooks SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL').run(
          claim.webhookId,
        );
        return undefined;
      }
      const endpoint = this.#get(claim.webhookId);
      if (endpoint === undefined || endpoint.disabledAt !== null) return undefined;
      const failingSince = endpoint.failingSince ?? now;
      if (endpoint.failingSince === null)
        this.#stmt('UPDATE webhooks SET failing_since = ? WHERE id = ?').run(now, endpoint.id);
      if (!shouldDisable(failingSince, now, record.disableAfterMs)) return undefined;
      this.#stmt('UPDATE webhooks SET disabled_at = ?, updated_at = ? WHERE id = ?').run(now, now, endpoint.id);
      return { ...endpoint, failingSince, disabledAt: now, updatedAt: now };
    });
  }

  #get(id: string): WebhookRecord | undefined {
    return toWebhook(
      this.#stmt(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE id = ?`).get(id) as WebhookRow | undefined,
    );
  }

  #delivery(id: string): DeliveryRecord | undefined {
    return toDelivery(
      this.#stmt(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ?`).get(id) as DeliveryRow | undefined,
    );
  }

  #stmt(sql: string): StatementSync {
    return this.#statements.get(sql);
  }

  #transaction<T>(body: () => T): T {
    return immediateTransaction(this.#db, body);
  }
}
