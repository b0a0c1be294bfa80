import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { KeyLeak, StoredKey } from '../../keys/key-record.ts';
import { endedByRoll, leaked, patched, successorOf } from '../key-changes.ts';
import { keyListQuery } from '../key-list-query.ts';
import { KEY_COLUMNS, POLICY_COLUMNS, policyValues, toRecord, type EventRow, type KeyRow } from '../key-rows.ts';
import { migrate } from './sqlite-migrations.ts';
import { addToOutbox } from './sqlite-outbox.ts';
import { keyWebhookEvent, leakEventData, SYSTEM_ACTOR, type WebhookEventType } from '../../webhooks/webhook-record.ts';
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
import { immediateTransaction, StatementCache } from './sqlite-connection.ts';

export interface SqliteKeyStoreOptions {
  /** A file path, or `:memory:` (the in-memory adapter for tests). */
  path: string;
  now: number;
  /** How long a writer waits for another process's lock (the CLI vs the server). */
  busyTimeoutMs?: number;
}

const HOUR_MS = 3_600_000;

export class SqliteKeyStore implements KeyStore {
  readonly epoch: string;
  readonly defaultAccountId: string;
  readonly migrationsApplied: number;
  readonly #db: DatabaseSync;
  readonly #statements: StatementCache;

  constructor(options: SqliteKeyStoreOptions) {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.#db = new DatabaseSync(options.path);
    this.#statements = new StatementCache(this.#db);
    try {
      this.#db.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
      // WAL lets the CLI write while the server reads; FULL syncs the WAL on
      // every commit, so a key answered 201 survives kill -9 and power loss.
      this.#db.exec('PRAGMA journal_mode = WAL');
      this.#db.exec('PRAGMA synchronous = FULL');
      this.#db.exec('PRAGMA foreign_keys = ON');
      this.migrationsApplied = migrate(this.#db, { now: options.now });
      this.epoch = this.#meta('epoch');
      this.defaultAccountId = this.#meta('default_account');
    } catch (error) {
      this.#db.close();
      throw error;
    }
  }

  /** The open connection, shared with the account store and usage reader (one file, one writer lock). */
  get database(): DatabaseSync {
    return this.#db;
  }

  async hasAccount(id: string): Promise<boolean> {
    return this.#stmt('SELECT 1 FROM accounts WHERE id = ?').get(id) !== undefined;
  }

  async ensureAccount(id: string, name: string, now: number): Promise<boolean> {
    const result = this.#stmt('INSERT OR IGNORE INTO accounts (id, name, created_at) VALUES (?, ?, ?)').run(
      id,
      name,
      now,
    );
    return result.changes > 0;
  }

  async createKey(key: NewKey, now: number, actor = SYSTEM_ACTOR): Promise<StoredKey> {
    return this.#transaction(() => this.#insertKey(key, now, actor));
  }

  async getKey(id: string): Promise<StoredKey | undefined> {
    return this.#get(id);
  }

  async findByHash(hash: string): Promise<StoredKey | undefined> {
    return toRecord(this.#stmt(`SELECT ${KEY_COLUMNS} FROM keys WHERE hash = ?`).get(hash) as KeyRow | undefined);
  }

  async listKeys(filter: KeyFilter, now: number): Promise<StoredKey[]> {
    const params: SQLInputValue[] = [];
    const sql = keyListQuery(filter, now, (value) => (params.push(value), '?'), 'rowid');
    return (this.#stmt(sql).all(...params) as unknown as KeyRow[]).map((row) => toRecord(row) as StoredKey);
  }

  async updateKey(
    id: string,
    patch: KeyPatch,
    now: number,
    check?: PatchCheck,
    actor = SYSTEM_ACTOR,
  ): Promise<UpdateResult> {
    return this.#transaction((): UpdateResult => {
      const current = this.#get(id);
      if (current === undefined) return { ok: false, reason: 'not_found' };
      const next = patched(current, patch);
      const refused = check?.(next);
      if (refused !== undefined) return { ok: false, reason: 'invalid', message: refused };
      this.#stmt(
        `UPDATE keys SET name = ?, capacity = ?, refill_per_second = ?, ${POLICY_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`,
      ).run(
        next.name,
        next.rateLimit?.capacity ?? null,
        next.rateLimit?.refillPerSecond ?? null,
        ...policyValues(next),
        id,
      );
      this.#event('updated', current, now);
      this.#outbox('key.updated', next, actor, now);
      return { ok: true, key: next };
    });
  }

  async revokeKey(id: string, now: number, actor = SYSTEM_ACTOR): Promise<RevokeResult> {
    return this.#transaction(() => {
      const current = this.#get(id);
      if (current === undefined) return { ok: false, reason: 'not_found' };
      if (current.revokedAt !== null) return { ok: true, key: current };
      this.#stmt('UPDATE keys SET revoked_at = ? WHERE id = ?').run(now, id);
      this.#event('revoked', current, now);
      const revoked = { ...current, revokedAt: now };
      this.#outbox('key.revoked', revoked, actor, now);
      return { ok: true, key: revoked };
    });
  }

  async rollKey(
    oldId: string,
    successor: Successor,
    oldEndsAt: number,
    now: number,
    actor = SYSTEM_ACTOR,
  ): Promise<RollResult> {
    return this.#transaction((): RollResult => {
      const old = this.#get(oldId);
      if (old === undefined) return { ok: false, reason: 'not_found' };
      const end = endedByRoll(old, oldEndsAt, now);
      if (!end.ok) return end;
      const { ended } = end;
      this.#stmt('UPDATE keys SET revoked_at = ?, expires_at = ? WHERE id = ?').run(
        ended.revokedAt,
        ended.expiresAt,
        oldId,
      );
      this.#event('rolled', old, now);
      this.#outbox('key.rolled', ended, actor, now, { successorId: successor.id });
      const created = this.#insertKey(successorOf(old, successor), now, actor);
      return { ok: true, old: ended, created };
    });
  }

  async recordLeak(
    id: string,
    leak: KeyLeak,
    action: LeakAction,
    now: number,
    actor: string = SYSTEM_ACTOR,
  ): Promise<LeakResult> {
    return this.#transaction((): LeakResult => {
      const current = this.#get(id);
      if (current === undefined) return { ok: false, reason: 'not_found' };
      if (current.leak !== null) return { ok: true, key: current, recorded: false };
      const { key, event } = leaked(current, leak, action, now);
      this.#stmt(
        'UPDATE keys SET leaked_at = ?, leak_url = ?, leak_source = ?, revoked_at = ?, expires_at = ? WHERE id = ?',
      ).run(leak.at, leak.url, leak.source, key.revokedAt, key.expiresAt, id);
      if (event !== undefined) this.#event(event, current, now);
      this.#outbox('key.leaked', key, actor, now, leakEventData(leak, action.kind));
      return { ok: true, key, recorded: true };
    });
  }

  async expireDue(now: number): Promise<number> {
    const sql = `SELECT ${KEY_COLUMNS} FROM keys WHERE expiry_announced_at IS NULL AND expires_at <= ? AND revoked_at IS NULL LIMIT 500`;
    // Checked outside a transaction first: this runs every second and must not take the write lock for nothing.
    if (this.#stmt(sql).get(now) === undefined) return 0;
    return this.#transaction(() => {
      const due = this.#stmt(sql).all(now) as unknown as KeyRow[];
      const mark = this.#stmt('UPDATE keys SET expiry_announced_at = ? WHERE id = ?');
      for (const row of due) {
        mark.run(now, row.id);
        const key = toRecord(row) as StoredKey;
        this.#event('expired', key, now);
        this.#outbox('key.expired', key, SYSTEM_ACTOR, now, {
          expiresAt: new Date(key.expiresAt ?? now).toISOString(),
        });
      }
      return due.length;
    });
  }

  async eventsAfter(afterSeq: number, limit: number): Promise<KeyEvent[]> {
    const rows = this.#stmt(
      'SELECT seq, key_id, key_hash, type, at FROM key_events WHERE seq > ? ORDER BY seq LIMIT ?',
    ).all(afterSeq, limit) as unknown as EventRow[];
    return rows.map((row) => ({
      seq: row.seq,
      type: row.type as KeyEventType,
      keyId: row.key_id,
      keyHash: row.key_hash,
      at: row.at,
    }));
  }

  async latestSeq(): Promise<number> {
    return this.#latestSeq();
  }

  #latestSeq(): number {
    // sqlite_sequence survives deletes, so this is right even when every event was pruned.
    const row = this.#stmt("SELECT seq FROM sqlite_sequence WHERE name = 'key_events'").get() as
      { seq: number } | undefined;
    return row?.seq ?? 0;
  }

  async prunedThrough(): Promise<number> {
    return this.#prunedThrough();
  }

  #prunedThrough(): number {
    return Number(this.#meta('pruned_through'));
  }

  async pruneEvents(keep: number): Promise<number> {
    if (this.#latestSeq() - keep <= this.#prunedThrough()) return 0;
    return this.#transaction(() => {
      const through = this.#latestSeq() - keep;
      if (through <= this.#prunedThrough()) return 0;
      const { changes } = this.#stmt('DELETE FROM key_events WHERE seq <= ?').run(through);
      this.#stmt("UPDATE meta SET value = ? WHERE name = 'pruned_through'").run(String(through));
      return Number(changes);
    });
  }

  async recordUsage(entries: readonly UsageCount[], now: number): Promise<number> {
    const hour = Math.floor(now / HOUR_MS) * HOUR_MS;
    return this.#transaction(() => {
      let recorded = 0;
      const touch = this.#stmt('UPDATE keys SET last_used_at = max(coalesce(last_used_at, 0), ?) WHERE id = ?');
      const add = this.#stmt(
        `INSERT INTO key_usage (key_id, hour, requests, rate_limited, admitted) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (key_id, hour) DO UPDATE SET requests = requests + excluded.requests,
           rate_limited = rate_limited + excluded.rate_limited, admitted = admitted + excluded.admitted`,
      );
      for (const entry of entries) {
        // Unknown ids are dropped: a proxy may report a key from another database.
        if (touch.run(entry.lastUsedAt, entry.keyId).changes === 0) continue;
        add.run(entry.keyId, hour, entry.requests, entry.rateLimited, entry.admitted);
        recorded++;
      }
      return recorded;
    });
  }

  async admittedSince(scope: QuotaScope, since: number): Promise<number> {
    const row =
      'ownerId' in scope
        ? this.#stmt(
            `SELECT coalesce(sum(u.admitted), 0) AS used FROM key_usage u
             WHERE u.key_id IN (SELECT id FROM keys WHERE owner_id = ?) AND u.hour >= ?`,
          ).get(scope.ownerId, since)
        : this.#stmt(
            `WITH RECURSIVE lineage(id, rolled_from) AS (
               SELECT id, rolled_from FROM keys WHERE id = ?
               UNION SELECT k.id, k.rolled_from FROM keys k JOIN lineage l ON k.id = l.rolled_from
             )
             SELECT coalesce(sum(u.admitted), 0) AS used FROM key_usage u
             WHERE u.key_id IN (SELECT id FROM lineage) AND u.hour >= ?`,
          ).get(scope.keyId, since);
    return (row as { used: number }).used;
  }

  async keysWithQuota(ids: readonly string[]): Promise<StoredKey[]> {
    if (ids.length === 0) return [];
    const rows = this.#stmt(
      `SELECT ${KEY_COLUMNS} FROM keys WHERE quota IS NOT NULL AND id IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify(ids)) as unknown as KeyRow[];
    return rows.map((row) => toRecord(row) as StoredKey);
  }

  async markQuotaCrossing(crossing: QuotaCrossing, now: number): Promise<boolean> {
    const column = crossing.level === 'warning' ? 'quota_warned_for' : 'quota_exceeded_for';
    return this.#transaction(() => {
      const { changes } = this.#stmt(
        `UPDATE keys SET ${column} = ? WHERE id = ? AND (${column} IS NULL OR ${column} <> ?)`,
      ).run(crossing.periodStart, crossing.keyId, crossing.periodStart);
      if (changes === 0) return false;
      const key = this.#get(crossing.keyId) as StoredKey;
      this.#outbox(`quota.${crossing.level}`, key, SYSTEM_ACTOR, now, { quota: crossing.quota });
      return true;
    });
  }

  /** Answers when the file can be read (readiness). */
  async ping(): Promise<void> {
    this.#stmt('SELECT 1').get();
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  #get(id: string): StoredKey | undefined {
    return toRecord(this.#stmt(`SELECT ${KEY_COLUMNS} FROM keys WHERE id = ?`).get(id) as KeyRow | undefined);
  }

  #insertKey(key: NewKey, now: number, actor: string): StoredKey {
    this.#stmt(
      `INSERT INTO keys (id, account_id, environment, hash, hint, name, capacity, refill_per_second, created_at, expires_at, rolled_from, ${POLICY_COLUMNS.join(', ')})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
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
    );
    const record: StoredKey = { ...key, createdAt: now, revokedAt: null, lastUsedAt: null, leak: null };
    this.#event('created', record, now);
    this.#outbox('key.created', record, actor, now);
    return record;
  }

  /** Inside the caller's transaction: the webhook outbox commits with the change it announces. */
  #outbox(type: WebhookEventType, key: StoredKey, actor: string, now: number, extra?: Record<string, unknown>): void {
    addToOutbox(this.#db, keyWebhookEvent(type, key, actor, now, extra), now);
  }

  #event(type: KeyEventType, key: StoredKey, now: number): void {
    this.#stmt('INSERT INTO key_events (key_id, key_hash, type, at) VALUES (?, ?, ?, ?)').run(
      key.id,
      key.hash,
      type,
      now,
    );
  }

  #meta(name: string): string {
    const row = this.#stmt('SELECT value FROM meta WHERE name = ?').get(name) as { value: string } | undefined;
    if (row === undefined) throw new Error(`keystore database has no meta entry "${name}"`);
    return row.value;
  }

  #stmt(sql: string): StatementSync {
    return this.#statements.get(sql);
  }

  #transaction<T>(body: () => T): T {
    return immediateTransaction(this.#db, body);
  }
}
