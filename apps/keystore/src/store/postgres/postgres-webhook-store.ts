import type pg from 'pg';
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
import { translated } from './postgres-errors.ts';
import { addToOutbox } from './postgres-outbox.ts';
import { inTransaction, type Queryable } from './postgres-pool.ts';

/**
 * Webhooks in PostgreSQL, dispatched by every replica: a claim takes due rows
 * with FOR UPDATE SKIP LOCKED and stamps a lease on them in one statement,
 * so two replicas never take one row, and a replica that dies mid-attempt
 * only holds its rows until the lease lapses.
 */
export class PostgresWebhookStore implements WebhookStore {
  readonly #pool: pg.Pool;

  constructor(options: { pool: pg.Pool }) {
    this.#pool = options.pool;
  }

  createWebhook(webhook: NewWebhook, now: number): Promise<WebhookRecord> {
    return this.#read(async (db) => {
      await db.query(
        `INSERT INTO webhooks (id, account_id, url, events, description, secret, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
        [
          webhook.id,
          webhook.accountId,
          webhook.url,
          eventsText(webhook.events),
          webhook.description,
          webhook.secret,
          now,
        ],
      );
      return { ...webhook, createdAt: now, updatedAt: now, disabledAt: null, failingSince: null };
    });
  }

  getWebhook(id: string): Promise<WebhookRecord | undefined> {
    return this.#read((db) => getWebhook(db, id));
  }

  listWebhooks(accountId: string | undefined): Promise<WebhookRecord[]> {
    return this.#read(async (db) => {
      const { rows } =
        accountId === undefined
          ? await db.query<WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks ORDER BY created_at, ord`)
          : await db.query<WebhookRow>(
              `SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE account_id = $1 ORDER BY created_at, ord`,
              [accountId],
            );
      return rows.map((row) => toWebhook(row)!);
    });
  }

  updateWebhook(id: string, patch: WebhookPatch, now: number): Promise<WebhookRecord | undefined> {
    return inTransaction(this.#pool, async (db) => {
      const current = await getWebhook(db, id, true);
      if (current === undefined) return undefined;
      const next = patchedWebhook(current, patch, now);
      await db.query(
        'UPDATE webhooks SET url = $1, events = $2, description = $3, updated_at = $4, disabled_at = $5, failing_since = $6 WHERE id = $7',
        [next.url, eventsText(next.events), next.description, now, next.disabledAt, next.failingSince, id],
      );
      return next;
    });
  }

  setSecret(id: string, secret: string, now: number): Promise<WebhookRecord | undefined> {
    return this.#read(async (db) =>
      toWebhook(
        (
          await db.query<WebhookRow>(
            `UPDATE webhooks SET secret = $1, updated_at = $2 WHERE id = $3 RETURNING ${WEBHOOK_COLUMNS}`,
            [secret, now, id],
          )
        ).rows[0],
      ),
    );
  }

  deleteWebhook(id: string): Promise<boolean> {
    return this.#read(async (db) => (await db.query('DELETE FROM webhooks WHERE id = $1', [id])).rowCount === 1);
  }

  listDeliveries(webhookId: string, limit: number): Promise<DeliveryRecord[]> {
    return this.#read(async (db) => {
      const { rows } = await db.query<DeliveryRow>(
        `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY created_at DESC, ord DESC LIMIT $2`,
        [webhookId, limit],
      );
      return rows.map((row) => toDelivery(row)!);
    });
  }

  getDelivery(id: string): Promise<DeliveryRecord | undefined> {
    return this.#read(async (db) =>
      toDelivery(
        (await db.query<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1`, [id])).rows[0],
      ),
    );
  }

  retryDelivery(id: string, now: number): Promise<DeliveryRecord | undefined> {
    return this.#read(async (db) =>
      toDelivery(
        (
          await db.query<DeliveryRow>(
            `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $1, lease_until = NULL WHERE id = $2
             RETURNING ${DELIVERY_COLUMNS}`,
            [now, id],
          )
        ).rows[0],
      ),
    );
  }

  pruneDeliveries(before: number): Promise<number> {
    return this.#read(
      async (db) =>
        (await db.query("DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < $1", [before]))
          .rowCount ?? 0,
    );
  }

  enqueue(event: OutboxEvent, now: number): Promise<number> {
    return inTransaction(this.#pool, (db) => addToOutbox(db, event, now));
  }

  claimDue(now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
    const leaseUntil = now + leaseMs;
    return this.#read(async (db) => {
      const { rows } = await db.query<ClaimRow>(
        `UPDATE webhook_deliveries d SET lease_until = $2
         FROM webhooks w
         WHERE w.id = d.webhook_id AND d.id IN (
           SELECT d2.id FROM webhook_deliveries d2 JOIN webhooks w2 ON w2.id = d2.webhook_id
           WHERE d2.status = 'pending' AND d2.next_attempt_at <= $1 AND (d2.lease_until IS NULL OR d2.lease_until <= $1)
             AND w2.disabled_at IS NULL
           ORDER BY d2.next_attempt_at LIMIT $3
           FOR UPDATE OF d2 SKIP LOCKED
         )
         RETURNING d.id, d.webhook_id, d.event_id, d.body, d.attempts, w.url, w.secret`,
        [now, leaseUntil, limit],
      );
      return rows.map((row) => toClaim(row, leaseUntil));
    });
  }

  finishAttempt(claim: ClaimedDelivery, record: AttemptRecord, now: number): Promise<WebhookRecord | undefined> {
    return inTransaction(this.#pool, async (db) => {
      const { rowCount } = await db.query(
        `UPDATE webhook_deliveries SET status = $1, attempts = $2, next_attempt_at = $3, lease_until = NULL,
           last_attempt_at = $4, last_response_status = $5, last_error = $6
         WHERE id = $7 AND lease_until = $8`,
        [
          record.status,
          record.attempts,
          record.nextAttemptAt,
          now,
          record.outcome.responseStatus,
          record.outcome.ok ? null : record.outcome.error,
          claim.id,
          claim.leaseUntil,
        ],
      );
      if (rowCount !== 1) return undefined;
      if (record.outcome.ok) {
        await db.query('UPDATE webhooks SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL', [
          claim.webhookId,
        ]);
        return undefined;
      }
      // Locked: two replicas failing at once must not both disable it (two audit rows).
      const endpoint = await getWebhook(db, claim.webhookId, true);
      if (endpoint === undefined || endpoint.disabledAt !== null) return undefined;
      const failingSince = endpoint.failingSince ?? now;
      if (endpoint.failingSince === null)
        await db.query('UPDATE webhooks SET failing_since = $1 WHERE id = $2', [now, endpoint.id]);
      if (!shouldDisable(failingSince, now, record.disableAfterMs)) return undefined;
      await db.query('UPDATE webhooks SET disabled_at = $1, updated_at = $1 WHERE id = $2', [now, endpoint.id]);
      return { ...endpoint, failingSince, disabledAt: now, updatedAt: now };
    });
  }

  #read<T>(body: (db: Queryable) => Promise<T>): Promise<T> {
    return translated(() => body(this.#pool));
  }
}

async function getWebhook(db: Queryable, id: string, forUpdate = false): Promise<WebhookRecord | undefined> {
  const sql = `SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`;
  return toWebhook((await db.query<WebhookRow>(sql, [id])).rows[0]);
}
