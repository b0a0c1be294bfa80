import type { DatabaseSync } from 'node:sqlite';
import { newAccountId, newEpoch } from '../../ids.ts';

export interface MigrationContext {
  now: number;
}

/**
 * Ordered schema history: migration i brings `user_version` from i to i + 1.
 * Append only; never edit a released entry.
 */
export const migrations: readonly ((db: DatabaseSync, ctx: MigrationContext) => void)[] = [
  (db, { now }) => {
    db.exec(`
      CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      CREATE TABLE accounts (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL) STRICT;
      CREATE TABLE keys (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        environment TEXT NOT NULL CHECK (environment IN ('live', 'test')),
        hash TEXT NOT NULL UNIQUE,
        hint TEXT NOT NULL,
        name TEXT,
        capacity INTEGER,
        refill_per_second REAL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        revoked_at INTEGER,
        last_used_at INTEGER,
        rolled_from TEXT,
        -- set when the expired event was written, so it is written once
        expiry_announced_at INTEGER
      ) STRICT;
      CREATE INDEX keys_account_created ON keys (account_id, created_at);
      CREATE INDEX keys_created ON keys (created_at);
      CREATE INDEX keys_pending_expiry ON keys (expires_at) WHERE expiry_announced_at IS NULL;
      CREATE TABLE key_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        key_id TEXT NOT NULL,
        key_hash TEXT NOT NULL,
        type TEXT NOT NULL,
        at INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE key_usage (
        key_id TEXT NOT NULL,
        hour INTEGER NOT NULL,
        requests INTEGER NOT NULL DEFAULT 0,
        rate_limited INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (key_id, hour)
      ) STRICT, WITHOUT ROWID;
    `);
    const defaultAccount = newAccountId();
    const meta = db.prepare('INSERT INTO meta (name, value) VALUES (?, ?)');
    meta.run('epoch', newEpoch());
    meta.run('default_account', defaultAccount);
    meta.run('pruned_through', '0');
    db.prepare('INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)').run(defaultAccount, 'Default', now);
  },
  (db) => {
    db.exec(`
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        -- stored lower-cased: one person, one row, whatever the capitalisation at login
        email TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE sessions (
        -- SHA-256 of the cookie value: a copy of the database does not log anyone in
        id_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf_token TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX sessions_expires ON sessions (expires_at);
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        -- null: not tied to an account (a failed login for an unknown email)
        account_id TEXT,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        address TEXT,
        at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX audit_account_seq ON audit_log (account_id, seq);
    `);
  },
  (db) => {
    // Lock-out state moved out of process memory, so replicas and restarts count alike.
    db.exec(`
      CREATE TABLE login_failures (
        -- 'email:<address>' or 'address:<ip>'
        subject TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        window_start INTEGER NOT NULL,
        locked_until INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
    `);
  },
  (db) => {
    // Key policies (issue 15). JSON text, null when unset; owner_id is indexed for shared quotas.
    // `admitted` is what quotas count; rows from before it existed had everything but 429s let through.
    db.exec(`
      ALTER TABLE keys ADD COLUMN owner_id TEXT;
      ALTER TABLE keys ADD COLUMN permissions TEXT;
      ALTER TABLE keys ADD COLUMN allowed_ips TEXT;
      ALTER TABLE keys ADD COLUMN rate_limits TEXT;
      ALTER TABLE keys ADD COLUMN quota TEXT;
      ALTER TABLE keys ADD COLUMN metadata TEXT;
      CREATE INDEX keys_owner ON keys (owner_id) WHERE owner_id IS NOT NULL;
      ALTER TABLE key_usage ADD COLUMN admitted INTEGER NOT NULL DEFAULT 0;
      UPDATE key_usage SET admitted = max(requests - rate_limited, 0);
    `);
  },
  (db) => {
    // The audit log's filters (issue 23): who did it, and what happened to one key, each newest first in an account.
    db.exec(`
      CREATE INDEX audit_account_actor_seq ON audit_log (account_id, actor, seq);
      CREATE INDEX audit_account_target_seq ON audit_log (account_id, target, seq);
    `);
  },
  (db) => {
    // Leak reports (issue 24): the first report of a key found in public; null until one arrives.
    db.exec(`
      ALTER TABLE keys ADD COLUMN leaked_at INTEGER;
      ALTER TABLE keys ADD COLUMN leak_url TEXT;
      ALTER TABLE keys ADD COLUMN leak_source TEXT;
    `);
  },
  (db) => {
    // Members and invitations (issue 23). Every user so far was its account's only one, created as its owner.
    db.exec(`
      ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'owner'
        CHECK (role IN ('owner', 'admin', 'developer', 'viewer'));
      ALTER TABLE users ADD COLUMN last_login_at INTEGER;
      CREATE INDEX users_account ON users (account_id, created_at);
      CREATE INDEX sessions_user ON sessions (user_id);
      CREATE TABLE invitations (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        email TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'developer', 'viewer')),
        -- SHA-256 of the token in the link: a copy of the database lets nobody join
        token_hash TEXT NOT NULL UNIQUE,
        invited_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        accepted_at INTEGER,
        withdrawn_at INTEGER
      ) STRICT;
      CREATE INDEX invitations_account ON invitations (account_id, created_at);
      `);
  },
  (db) => {
    // Webhooks (issue 24). webhook_deliveries is the outbox: key changes write their rows in the same
    // transaction. A delivery is pending until it succeeds or runs out of retries; lease_until keeps two
    // dispatchers off one row. The quota marks hold the period start a quota event was sent for (once each).
    db.exec(`
      CREATE TABLE webhooks (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        url TEXT NOT NULL,
        events TEXT,
        description TEXT,
        secret TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        disabled_at INTEGER,
        failing_since INTEGER
      ) STRICT;
      CREATE INDEX webhooks_account ON webhooks (account_id);
      CREATE TABLE webhook_deliveries (
        id TEXT PRIMARY KEY,
        webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
        event_id TEXT NOT NULL,
        event_type TEXT NOT NULL,
        body TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        lease_until INTEGER,
        last_attempt_at INTEGER,
        last_response_status INTEGER,
        last_error TEXT,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
      CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at);
      ALTER TABLE keys ADD COLUMN quota_warned_for INTEGER;
      ALTER TABLE keys ADD COLUMN quota_exceeded_for INTEGER;
      `);
  },
  (db) => {
    // Named management tokens (issue 23): automation's own credentials, a role each; only the token's SHA-256 is kept.
    db.exec(`
      CREATE TABLE management_tokens (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER,
        revoked_at INTEGER
      ) STRICT;
      CREATE INDEX management_tokens_account ON management_tokens (account_id, created_at);
    `);
  },
];

/**
 * Brings the schema up to date. Each step runs in its own IMMEDIATE
 * transaction and re-reads `user_version` inside it, so the server and the
 * operator CLI opening a fresh file at once cannot both apply a step.
 * Returns the number of steps applied.
 */
export function migrate(db: DatabaseSync, ctx: MigrationContext): number {
  let applied = 0;
  for (let guard = 0; guard <= migrations.length; guard++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      const version = userVersion(db);
      const step = migrations[version];
      if (step === undefined) {
        db.exec('COMMIT');
        return applied;
      }
      step(db, ctx);
      // PRAGMA takes no bound parameters; `version` is an integer we read.
      db.exec(`PRAGMA user_version = ${version + 1}`);
      db.exec('COMMIT');
      applied++;
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
  return applied;
}

export function userVersion(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number } | undefined;
  return row?.user_version ?? 0;
}
