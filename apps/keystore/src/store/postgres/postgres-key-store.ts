import type pg from 'pg';
import type { KeyLeak, StoredKey } from '../../keys/key-record.ts';
import { endedByRoll, leaked, patched, successorOf } from '../key-changes.ts';
import { keyListQuery } from '../key-list-query.ts';
import { KEY_COLUMNS, POLICY_COLUMNS, policyValues, toRecord, type KeyRow } from '../key-rows.ts';
import type {
  KeyEvent,
  KeyEventType,
  KeyFilter,
  KeyPatch,
  KeyStore,
  LeakAction,
  LeakResult,
  NewKey,
  PatchCheck,
  QuotaCrossing,
  QuotaScope,
  RevokeResult,
  RollResult,
  Successor,
  UpdateResult,
  UsageCount,
} from '../key-store.ts';
import { translated } from './postgres-errors.ts';
import { EVENT_LOCK } from './postgres-migrations.ts';
import { addToOutbox } from './postgres-outbox.ts';
import { keyWebhookEvent, leakEventData, SYSTEM_ACTOR, type WebhookEventType } from '../../webhooks/webhook-record.ts';
import { inTransaction, withTimeout, type Queryable } from './postgres-pool.ts';

const HOUR_MS = 3_600_000;
const DUE = `SELECT ${KEY_COLUMNS} FROM keys WHERE expiry_announced_at IS NULL AND expires_at <= $1 AND revoked_at IS NULL`;

/**
 * Keys and their event log in PostgreSQL, shared by any number of replicas.
 *
 * Every transaction that writes an event takes one advisory lock first
 * (EVENT_LOCK) and holds it until it commits or aborts; the table's trigger
 * draws the event's seq only under that lock. So event writers commit one at
 * a time, in seq order: when a reader sees seq n, every seq below n has
 * committed or aborted (and will never appear). A reader that keeps "the
 * highest seq I have seen" as its cursor can therefore never skip an event,
 * and a seq means the same position on every replica. Taking the lock before
 * any row lock also rules out deadlocks between two event writers.
 */
export class PostgresKeyStore implements KeyStore {
  readonly epoch: string;
  readonly defaultAccountId: string;
  readonly #pool: pg.Pool;

  constructor(options: { pool: pg.Pool; epoch: string; defaultAccountId: string }) {
    this.#pool = options.pool;
    this.epoch = options.epoch;
    this.defaultAccountId = options.defaultAccountId;
  }

  hasAccount(id: string): Promise<boolean> {
    return this.#read(async (db) => (await db.query('SELECT 1 FROM accounts WHERE id = $1', [id])).rowCount === 1);
  }

  ensureAccount(id: string, name: string, now: number): Promise<boolean> {
    return this.#read(async (db) => {
      const sql = 'INSERT INTO accounts (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING';
      return (await db.query(sql, [id, name, now])).rowCount === 1;
    });
  }

  createKey(key: NewKey, now: number, actor = SYSTEM_ACTOR): Promise<StoredKey> {
    return this.#write((db) => insertKey(db, key, now, actor));
  }

  getKey(id: string): Promise<StoredKey | undefined> {
    return this.#read((db) => getKey(db, id));
  }

  findByHash(hash: string): Promise<StoredKey | undefined> {
    return this.#read(async (db) =>
      toRecord((await db.query<KeyRow>(`SELECT ${KEY_COLUMNS} FROM keys WHERE hash = $1`, [hash])).rows[0]),
    );
  }

  listKeys(filter: KeyFilter, now: number): Promise<StoredKey[]> {
    const params: unknown[] = [];
    const sql = keyListQuery(filter, now, (value) => `$${params.push(value)}`, 'ord');
    return this.#read(async (db) =>
      (await db.query<KeyRow>(sql, params)).rows.map((row) => toRecord(row) as StoredKey),
    );
  }

  updateKey(id: string, patch: KeyPatch, now: number, check?: PatchCheck, actor = SYSTEM_ACTOR): Promise<UpdateResult> {
    return this.#write(async (db): Promise<UpdateResult> => {
      const current = await getKey(db, id, true);
      if (current === undefined) return { ok: false, reason: 'not_found' };
      const next = patched(current, patch);
      const refused = check?.(next);
      if (refused !== undefined) return { ok: false, reason: 'invalid', message: refused };
      const policies = POLICY_COLUMNS.map((column, i) => `${column} = $${i + 4}`).join(', ');
      await db.query(
        `UPDATE keys SET name = $1, capacity = $2, refill_per_second = $3, ${policies} WHERE id = $${POLICY_COLUMNS.length + 4}`,
        [
          next.name,
          next.rateLimit?.capacity ?? null,
          next.rateLimit?.refillPerSecond ?? null,
          ...policyValues(next),
          id,
        ],
      );
      await insertEvent(db, 'updated', current, now);
      await outbox(db, 'key.updated', next, actor, now);
      return { ok: true, key: next };
    });
  }

  revokeKey(id: string, now: number, actor = SYSTEM_ACTOR): Promise<RevokeResult> {
    return this.#write(async (db): Promise<RevokeResult> => {
      const current = await getKey(db, id, true);
      if (current === undefined) return { ok: false, reason: 'not_found' };
      if (current.revokedAt !== null) return { ok: true, key: current };
      await db.query('UPDATE keys SET revoked_at = $1 WHERE id = $2', [now, id]);
      await insertEvent(db, 'revoked', current, now);
      const revoked = { ...current, revokedAt: now };
      await outbox(db, 'key.revoked', revoked, actor, now);
      return { ok: true, key: revoked };
    });
  }

  rollKey(
    oldId: string,
    successor: Successor,
    oldEndsAt: number,
    now: number,
    actor = SYSTEM_ACTOR,
  ): Promise<RollResult> {
    return this.#write(async (db): Promise<RollResult> => {
      const old = await getKey(db, oldId, true);
      if (old === undefined) return { ok: false, reason: 'not_found' };
      const end = endedByRoll(old, oldEndsAt, now);
      if (!end.ok) return end;
      const { ended } = end;
      await db.query('UPDATE keys SET revoked_at = $1, expires_at = $2 WHERE id = $3', [
        ended.revokedAt,
        ended.expiresAt,
        oldId,
      ]);
      await insertEvent(db, 'rolled', old, now);
      await outbox(db, 'key.rolled', ended, actor, now, { successorId: successor.id });
      const created = await insertKey(db, successorOf(old, successor), now, actor);
      return { ok: true, old: ended, created };
    });
  }

  recordLeak(
    id: string,
    leak: KeyLeak,
    action: LeakAction,
    now: number,
    actor: string = SYSTEM_ACTOR,
  ): Promise<LeakResult> {
    return this.#write(async (db): Promise<LeakResult> => {
      const current = await getKey(db, id, true);
      if (current === undefined) return { ok: false, reason: 'not_found' };
      if (current.leak !== null) return { ok: true, key: current, recorded: false };
      const { key, event } = leaked(current, leak, action, now);
      await db.query(
        'UPDATE keys SET leaked_at = $1, leak_url = $2, leak_source = $3, revoked_at = $4, expires_at = $5 WHERE id = $6',
        [leak.at, leak.url, leak.source, key.revokedAt, key.expiresAt, id],
      );
      if (event !== undefined) await insertEvent(db, event, current, now);
      await outbox(db, 'key.leaked', key, actor, now, leakEventData(leak, action.kind));
      return { ok: true, key, recorded: true };
    });
  }

  async expireDue(now: number): Promise<number> {
    // Checked outside a transaction first: every replica runs this every second and must not take the lock for nothing.
    const any = await this.#read(async (db) => (await db.query(`${DUE} LIMIT 1`, [now])).rowCount ?? 0);
    if (any === 0) return 0;
    return this.#write(async (db) => {
      // Under the event lock, read again: a replica that announced these a moment ago has committed by now.
      const due = (await db.query<KeyRow>(`${DUE} ORDER BY id LIMIT 500`, [now])).rows;
      for (const row of due) {
        await db.query('UPDATE keys SET expiry_announced_at = $1 WHERE id = $2', [now, row.id]);
        const key = toRecord(row) as StoredKey;
        await insertEvent(db, 'expired', key, now);
        await outbox(db, 'key.expired', key, SYSTEM_ACTOR, now, {
          expiresAt: new Date(key.expiresAt ?? now).toISOString(),
        });
      }
      return due.length;
    });
  }

  eventsAfter(afterSeq: number, limit: number): Promise<KeyEvent[]> {
    return this.#read(async (db) => {
      const { rows } = await db.query<{ seq: number; key_id: string; key_hash: string; type: string; at: number }>(
        'SELECT seq, key_id, key_hash, type, at FROM key_events WHERE seq > $1 ORDER BY seq LIMIT $2',
        [afterSeq, limit],
      );
      return rows.map((row) => ({
        seq: row.seq,
        type: row.type as KeyEventType,
        keyId: row.key_id,
        keyHash: row.key_hash,
        at: row.at,
      }));
    });
  }

  latestSeq(): Promise<number> {
    return this.#read(latestSeq);
  }

  prunedThrough(): Promise<number> {
    return this.#read(prunedThrough);
  }

  async pruneEvents(keep: number): Promise<number> {
    const due = await this.#read(async (db) => (await latestSeq(db)) - keep > (await prunedThrough(db)));
    if (!due) return 0;
    return this.#write(async (db) => {
      const through = (await latestSeq(db)) - keep;
      if (through <= (await prunedThrough(db))) return 0;
      const { rowCount } = await db.query('DELETE FROM key_events WHERE seq <= $1', [through]);
      await db.query("UPDATE keystore_meta SET value = $1 WHERE name = 'pruned_through'", [String(through)]);
      return rowCount ?? 0;
    });
  }

  /**
   * One transaction per batch, three statements whatever its size: lock the
   * named keys in id order (so two proxies' batches cannot deadlock), move
   * their lastUsedAt forward, add the summed counts to the hour's rows.
   */
  recordUsage(entries: readonly UsageCount[], now: number): Promise<number> {
    if (entries.length === 0) return Promise.resolve(0);
    const hour = Math.floor(now / HOUR_MS) * HOUR_MS;
    const columns = [
      entries.map((e) => e.keyId),
      entries.map((e) => e.requests),
      entries.map((e) => e.rateLimited),
      entries.map((e) => e.lastUsedAt),
      entries.map((e) => e.admitted),
    ];
    const batch = `unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[]) AS b(key_id, requests, rate_limited, last_used_at, admitted)`;
    return inTransaction(this.#pool, async (db) => {
      const known = (
        await db.query<{ id: string }>('SELECT id FROM keys WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE', [
          columns[0],
        ])
      ).rows.map((row) => row.id);
      if (known.length === 0) return 0;
      await db.query(
        `UPDATE keys k SET last_used_at = greatest(coalesce(k.last_used_at, 0), s.last_used_at)
         FROM (SELECT key_id, max(last_used_at) AS last_used_at FROM ${batch} GROUP BY key_id) s
         WHERE k.id = s.key_id`,
        columns,
      );
      await db.query(
        `INSERT INTO key_usage (key_id, hour, requests, rate_limited, admitted)
         SELECT b.key_id, $6, sum(b.requests), sum(b.rate_limited), sum(b.admitted) FROM ${batch}
         WHERE b.key_id = ANY($7::text[]) GROUP BY b.key_id ORDER BY b.key_id
         ON CONFLICT (key_id, hour) DO UPDATE SET requests = key_usage.requests + excluded.requests,
           rate_limited = key_usage.rate_limited + excluded.rate_limited, admitted = key_usage.admitted + excluded.admitted`,
        [...columns, hour, known],
      );
      const knownSet = new Set(known);
      return entries.filter((e) => knownSet.has(e.keyId)).length;
    });
  }

  admittedSince(scope: QuotaScope, since: number): Promise<number> {
    return this.#read(async (db) => {
      const { rows } =
        'ownerId' in scope
          ? await db.query<{ used: number }>(
              `SELECT coalesce(sum(u.admitted), 0)::bigint AS used FROM key_usage u
               WHERE u.key_id IN (SELECT id FROM keys WHERE owner_id = $1) AND u.hour >= $2`,
              [scope.ownerId, since],
            )
          : await db.query<{ used: number }>(
              `WITH RECURSIVE lineage(id, rolled_from) AS (
                 SELECT id, rolled_from FROM keys WHERE id = $1
                 UNION SELECT k.id, k.rolled_from FROM keys k JOIN lineage l ON k.id = l.rolled_from
               )
               SELECT coalesce(sum(u.admitted), 0)::bigint AS used FROM key_usage u
               WHERE u.key_id IN (SELECT id FROM lineage) AND u.hour >= $2`,
              [scope.keyId, since],
            );
      return rows[0]?.used ?? 0;
    });
  }

  keysWithQuota(ids: readonly string[]): Promise<StoredKey[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.#read(async (db) =>
      (
        await db.query<KeyRow>(`SELECT ${KEY_COLUMNS} FROM keys WHERE quota IS NOT NULL AND id = ANY($1::text[])`, [
          [...ids],
        ])
      ).rows.map((row) => toRecord(row) as StoredKey),
    );
  }

  markQuotaCrossing(crossing: QuotaCrossing, now: number): Promise<boolean> {
    const column = crossing.level === 'warning' ? 'quota_warned_for' : 'quota_exceeded_for';
    return inTransaction(this.#pool, async (db) => {
      // One conditional UPDATE: of two replicas seeing the same crossing, one changes the row.
      const { rows } = await db.query<KeyRow>(
        `UPDATE keys SET ${column} = $1 WHERE id = $2 AND ${column} IS DISTINCT FROM $1 RETURNING ${KEY_COLUMNS}`,
        [crossing.periodStart, crossing.keyId],
      );
      const key = toRecord(rows[0]);
      if (key === undefined) return false;
      await outbox(db, `quota.${crossing.level}`, key, SYSTEM_ACTOR, now, { quota: crossing.quota });
      return true;
    });
  }

  /** Answers when the server runs a query (readiness). */
  async ping(): Promise<void> {
    await this.#read((db) => db.query(withTimeout('SELECT 1', 1500)));
  }

  #read<T>(body: (db: Queryable) => Promise<T>): Promise<T> {
    return translated(() => body(this.#pool));
  }

  #write<T>(body: (db: Queryable) => Promise<T>): Promise<T> {
    return inTransaction(this.#pool, body, { eventLock: EVENT_LOCK });
  }
}

async function getKey(db: Queryable, id: string, forUpdate = false): Promise<StoredKey | undefined> {
  const sql = `SELECT ${KEY_COLUMNS} FROM keys WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`;
  return toRecord((await db.query<KeyRow>(sql, [id])).rows[0]);
}

async function insertKey(db: Queryable, key: NewKey, now: number, actor: string): Promise<StoredKey> {
  await db.query(
    `INSERT INTO keys (id, account_id, environment, hash, hint, name, capacity, refill_per_second, created_at, expires_at, rolled_from, ${POLICY_COLUMNS.join(', ')})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
    [
      key.id,
      key.accountId,
      key.environment,
      key.hash,
      key.hint,
      key.name,
      key.rateLimit?.capacity ?? null,
      key.rateLimit?.refillPerSecond ?? null,
      now,
      key.expiresAt,
      key.rolledFrom,
      ...policyValues(key),
    ],
  );
  const record: StoredKey = { ...key, createdAt: now, revokedAt: null, lastUsedAt: null, leak: null };
  await insertEvent(db, 'created', record, now);
  await outbox(db, 'key.created', record, actor, now);
  return record;
}

/** Inside the caller's transaction: the webhook outbox commits with the change it announces. */
function outbox(
  db: Queryable,
  type: WebhookEventType,
  key: StoredKey,
  actor: string,
  now: number,
  extra?: Record<string, unknown>,
): Promise<number> {
  return addToOutbox(db, keyWebhookEvent(type, key, actor, now, extra), now);
}

function insertEvent(db: Queryable, type: KeyEventType, key: StoredKey, now: number): Promise<unknown> {
  return db.query('INSERT INTO key_events (key_id, key_hash, type, at) VALUES ($1, $2, $3, $4)', [
    key.id,
    key.hash,
    type,
    now,
  ]);
}

/** The highest committed seq: by the lock rule, every lower one that will ever exist is visible with it. */
async function latestSeq(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ seq: number }>(
    `SELECT coalesce((SELECT max(seq) FROM key_events), (SELECT value::bigint FROM keystore_meta WHERE name = 'pruned_through'), 0) AS seq`,
  );
  return rows[0]?.seq ?? 0;
}

async function prunedThrough(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ value: string }>("SELECT value FROM keystore_meta WHERE name = 'pruned_through'");
  return Number(rows[0]?.value ?? 0);
}
