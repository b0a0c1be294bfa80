import type pg from 'pg';
import type { Logger } from 'pino';
import { newAccountId, newEpoch } from '../../ids.ts';
import { translated } from './postgres-errors.ts';
import type { Queryable } from './postgres-pool.ts';

/** pg_advisory_lock(int, int) keys: the keystore's namespace, then which lock. */
export const LOCK_NAMESPACE = 0x6b_73_74_72; // 'kstr'
export const EVENT_LOCK = [LOCK_NAMESPACE, 1] as const;
const MIGRATION_LOCK = [LOCK_NAMESPACE, 2] as const;

export const EVENT_CHANNEL = 'keystore_events';

interface MigrationContext {
  now: number;
}

/**
 * The PostgreSQL schema history, versioned apart from SQLite's
 * (`user_version` there, `keystore_schema_migrations` here). Migration i
 * brings the version from i to i + 1. Append only.
 */
export const postgresMigrations: readonly ((db: Queryable, ctx: MigrationContext) => Promise<void>)[] = [
  async (db, { now }) => {
    await db.query(`
      CREATE TABLE keystore_meta (name text PRIMARY KEY, value text NOT NULL);
      CREATE TABLE accounts (id text PRIMARY KEY, name text NOT NULL, created_at bigint NOT NULL);
      CREATE TABLE keys (
        id text PRIMARY KEY,
        account_id text NOT NULL REFERENCES accounts(id),
        environment text NOT NULL CHECK (environment IN ('live', 'test')),
        hash text NOT NULL UNIQUE,
        hint text NOT NULL,
        name text,
        capacity integer,
        refill_per_second double precision,
        created_at bigint NOT NULL,
        expires_at bigint,
        revoked_at bigint,
        last_used_at bigint,
        rolled_from text,
        -- set when the expired event was written, so it is written once
        expiry_announced_at bigint,
        -- insertion order: the tie-breaker for keys created in the same millisecond
        ord bigint GENERATED ALWAYS AS IDENTITY
      );
      CREATE INDEX keys_account_created ON keys (account_id, created_at);
      CREATE INDEX keys_created ON keys (created_at);
      CREATE INDEX keys_pending_expiry ON keys (expires_at) WHERE expiry_announced_at IS NULL;

      -- seq is taken by the trigger below, under the event lock, never from a column default
      CREATE SEQUENCE key_events_seq AS bigint;
      CREATE TABLE key_events (
        seq bigint PRIMARY KEY,
        key_id text NOT NULL,
        key_hash text NOT NULL,
        type text NOT NULL,
        at bigint NOT NULL
      );
      -- Commit order = seq order: a transaction takes the event lock, which it
      -- holds until it commits or aborts, before it draws a seq. So a lower
      -- seq is always committed (or gone) before a higher one can be drawn.
      CREATE FUNCTION key_events_take_seq() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(${EVENT_LOCK[0]}, ${EVENT_LOCK[1]});
        NEW.seq := nextval('key_events_seq');
        RETURN NEW;
      END $$;
      CREATE TRIGGER key_events_seq BEFORE INSERT ON key_events FOR EACH ROW EXECUTE FUNCTION key_events_take_seq();
      -- Only a wake-up, sent at commit: readers read the table from their cursor.
      CREATE FUNCTION key_events_wake() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${EVENT_CHANNEL}', '');
        RETURN NULL;
      END $$;
      CREATE TRIGGER key_events_wake AFTER INSERT ON key_events FOR EACH STATEMENT EXECUTE FUNCTION key_events_wake();

      CREATE TABLE key_usage (
        key_id text NOT NULL,
        hour bigint NOT NULL,
        requests bigint NOT NULL DEFAULT 0,
        rate_limited bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (key_id, hour)
      );
      CREATE TABLE users (
        id text PRIMARY KEY,
        account_id text NOT NULL REFERENCES accounts(id),
        -- stored lower-cased: one person, one row, whatever the capitalisation at login
        email text NOT NULL UNIQUE,
        password_hash text NOT NULL,
        created_at bigint NOT NULL
      );
      CREATE TABLE sessions (
        -- SHA-256 of the cookie value: a copy of the database does not log anyone in
        id_hash text PRIMARY KEY,
        user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf_token text NOT NULL,
        created_at bigint NOT NULL,
        last_seen_at bigint NOT NULL,
        expires_at bigint NOT NULL
      );
      CREATE INDEX sessions_expires ON sessions (expires_at);
      CREATE TABLE audit_log (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        -- null: not tied to an account (a failed login for an unknown email)
        account_id text,
        actor text NOT NULL,
        action text NOT NULL,
        target text,
        address text,
        at bigint NOT NULL
      );
      CREATE INDEX audit_account_seq ON audit_log (account_id, seq);
      CREATE TABLE login_failures (
        subject text PRIMARY KEY,
        failures integer NOT NULL,
        window_start bigint NOT NULL,
        locked_until bigint NOT NULL
      );
    `);
    const defaultAccount = newAccountId();
    await db.query(
      `INSERT INTO keystore_meta (name, value) VALUES ('epoch', $1), ('default_account', $2), ('pruned_through', '0')`,
      [newEpoch(), defaultAccount],
    );
    await db.query('INSERT INTO accounts (id, name, created_at) VALUES ($1, $2, $3)', [defaultAccount, 'Default', now]);
  },
  async (db) => {
    // Key policies (issue 15): JSON text like SQLite's (text, not jsonb, keeps metadata byte for byte), null when unset.
    // `admitted` is what quotas count; rows from before it existed had everything but 429s let through.
    await db.query(`
      ALTER TABLE keys
        ADD COLUMN owner_id text,
        ADD COLUMN permissions text,
        ADD COLUMN allowed_ips text,
        ADD COLUMN rate_limits text,
        ADD COLUMN quota text,
        ADD COLUMN metadata text;
      CREATE INDEX keys_owner ON keys (owner_id) WHERE owner_id IS NOT NULL;
      ALTER TABLE key_usage ADD COLUMN admitted bigint NOT NULL DEFAULT 0;
      UPDATE key_usage SET admitted = greatest(requests - rate_limited, 0);
    `);
  },
  async (db) => {
    // The audit log's filters (issue 23): who did it, and what happened to one key, each newest first in an account.
    await db.query(`
      CREATE INDEX audit_account_actor_seq ON audit_log (account_id, actor, seq);
      CREATE INDEX audit_account_target_seq ON audit_log (account_id, target, seq);
    `);
  },
  async (db) => {
    // Leak reports (issue 24): the first report of a key found in public; null until one arrives.
    await db.query(`
      ALTER TABLE keys
        ADD COLUMN leaked_at bigint,
        ADD COLUMN leak_url text,
        ADD COLUMN leak_source text;
    `);
  },
  async (db) => {
    // Members and invitations (issue 23). Every user so far was its account's only one, created as its owner.
    await db.query(`
      ALTER TABLE users
        ADD COLUMN role text NOT NULL DEFAULT 'owner' CHECK (role IN ('owner', 'admin', 'developer', 'viewer')),
        ADD COLUMN last_login_at bigint;
      CREATE INDEX users_account ON users (account_id, created_at);
      CREATE INDEX sessions_user ON sessions (user_id);
      CREATE TABLE invitations (
        id text PRIMARY KEY,
        account_id text NOT NULL REFERENCES accounts(id),
        email text NOT NULL,
        role text NOT NULL CHECK (role IN ('owner', 'admin', 'developer', 'viewer')),
        -- SHA-256 of the token in the link: a copy of the database lets nobody join
        token_hash text NOT NULL UNIQUE,
        invited_by text NOT NULL,
        created_at bigint NOT NULL,
        expires_at bigint NOT NULL,
        accepted_at bigint,
        withdrawn_at bigint
      );
      CREATE INDEX invitations_account ON invitations (account_id, created_at);
      `);
  },
  async (db) => {
    // Webhooks (issue 24). webhook_deliveries is the outbox: key changes write their rows in the same
    // transaction. A delivery is pending until it succeeds or runs out of retries; lease_until keeps two
    // replicas off one row. The quota marks hold the period start a quota event was sent for (once each).
    await db.query(`
      CREATE TABLE webhooks (
        id text PRIMARY KEY,
        account_id text NOT NULL REFERENCES accounts(id),
        url text NOT NULL,
        events text,
        description text,
        secret text NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        disabled_at bigint,
        failing_since bigint,
        ord bigint GENERATED ALWAYS AS IDENTITY
      );
      CREATE INDEX webhooks_account ON webhooks (account_id);
      CREATE TABLE webhook_deliveries (
        id text PRIMARY KEY,
        webhook_id text NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
        event_id text NOT NULL,
        event_type text NOT NULL,
        body text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at bigint,
        lease_until bigint,
        last_attempt_at bigint,
        last_response_status integer,
        last_error text,
        created_at bigint NOT NULL,
        ord bigint GENERATED ALWAYS AS IDENTITY
      );
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
      CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at);
      ALTER TABLE keys ADD COLUMN quota_warned_for bigint, ADD COLUMN quota_exceeded_for bigint;
      `);
  },
  async (db) => {
    // Named management tokens (issue 23): automation's own credentials, a role each; only the token's SHA-256 is kept.
    await db.query(`
      CREATE TABLE management_tokens (
        id text PRIMARY KEY,
        account_id text NOT NULL REFERENCES accounts(id),
        name text NOT NULL,
        role text NOT NULL,
        token_hash text NOT NULL UNIQUE,
        created_by text NOT NULL,
        created_at bigint NOT NULL,
        last_used_at bigint,
        revoked_at bigint
      );
      CREATE INDEX management_tokens_account ON management_tokens (account_id, created_at);
    `);
  },
];

/**
 * Brings the schema up to date. Replicas starting at once queue on a
 * session advisory lock: the first applies what is due, each step in its own
 * transaction with its version row; the others then find nothing to do.
 * Returns the number of steps this call applied.
 */
export async function migratePostgres(pool: pg.Pool, ctx: MigrationContext, logger: Logger): Promise<number> {
  return translated(async () => {
    const client = await pool.connect();
    try {
      // Waiting for another replica's migration may take longer than a statement is allowed to.
      await client.query('SET statement_timeout = 0');
      await client.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATION_LOCK]);
      try {
        await client.query(
          'CREATE TABLE IF NOT EXISTS keystore_schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
        );
        const { rows } = await client.query<{ version: number }>(
          'SELECT coalesce(max(version), 0)::integer AS version FROM keystore_schema_migrations',
        );
        let applied = 0;
        for (let version = rows[0]?.version ?? 0; version < postgresMigrations.length; version++) {
          const step = postgresMigrations[version];
          if (step === undefined) break;
          await client.query('BEGIN');
          try {
            await step(client, ctx);
            await client.query('INSERT INTO keystore_schema_migrations (version) VALUES ($1)', [version + 1]);
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK');
            throw error;
          }
          applied++;
          logger.info({ version: version + 1 }, 'PostgreSQL migration applied');
        }
        return applied;
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, $2)', [...MIGRATION_LOCK]);
      }
    } finally {
      // Discarded, not pooled: it carries this session's statement_timeout.
      client.release(true);
    }
  });
}
