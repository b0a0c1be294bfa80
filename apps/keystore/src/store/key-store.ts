import type { Environment } from '@routemcp/api-key';
import type { KeyEventType, RateLimit } from '@routemcp/internal-api';
import type { KeyLeak, KeyPolicies, KeyStatus, StoredKey } from '../keys/key-record.ts';

export type { KeyEventType };

export interface KeyEvent {
  seq: number;
  type: KeyEventType;
  keyId: string;
  keyHash: string;
  /** Epoch milliseconds. */
  at: number;
}

export interface NewKey extends KeyPolicies {
  id: string;
  accountId: string;
  environment: Environment;
  hash: string;
  hint: string;
  name: string | null;
  rateLimit: RateLimit | null;
  expiresAt: number | null;
  rolledFrom: string | null;
}

export interface KeyFilter {
  accountId?: string;
  environment?: Environment;
  status?: KeyStatus;
}

/** Fields left out stay as they are; null clears. */
export interface KeyPatch extends Partial<KeyPolicies> {
  name?: string | null;
  rateLimit?: RateLimit | null;
}

/** Run on the key as the patch would leave it, inside the transaction: a message refuses the patch. */
export type PatchCheck = (next: StoredKey) => string | undefined;

export type UpdateResult =
  { ok: true; key: StoredKey } | { ok: false; reason: 'not_found' } | { ok: false; reason: 'invalid'; message: string };
export type RevokeResult = { ok: true; key: StoredKey } | { ok: false; reason: 'not_found' };
/** What a roll generates; everything else the new key takes from the old one, read under the same lock. */
export type Successor = Pick<NewKey, 'id' | 'hash' | 'hint'>;
export type RollResult =
  { ok: true; old: StoredKey; created: StoredKey } | { ok: false; reason: 'not_found' | 'revoked' | 'expired' };

/** What a leak report does besides recording it: `expire` ends the key at `endsAt` (never later than its own expiry). */
export type LeakAction = { kind: 'notify' } | { kind: 'revoke' } | { kind: 'expire'; endsAt: number };
/** `recorded`: this report was the key's first (false: an earlier one stands and nothing was written). */
export type LeakResult = { ok: true; key: StoredKey; recorded: boolean } | { ok: false; reason: 'not_found' };

/**
 * Whose admitted requests a quota counts: one key together with the keys it
 * was rolled from (a roll must not hand out a fresh quota), or every key of
 * an owner (a shared quota).
 */
export type QuotaScope = { keyId: string } | { ownerId: string };

/** A key's quota use passed a level in the period that began at `periodStart` (see `quotaCrossings`). */
export interface QuotaCrossing {
  keyId: string;
  level: 'warning' | 'exceeded';
  periodStart: number;
  /** What the webhook event says about it. */
  quota: { limit: number; period: string; used: number };
}

/** One key's counts from one proxy batch, its time parsed (the wire form is `UsageEntry` of @routemcp/internal-api). */
export interface UsageCount {
  keyId: string;
  requests: number;
  rateLimited: number;
  /** Let through to the upstream: what a quota counts. */
  admitted: number;
  lastUsedAt: number;
}

/**
 * Durable key storage. Every method that changes a key writes that key's
 * event row in the same transaction, so the event log never misses a change
 * and never announces one that did not commit. Event seqs are per database:
 * every process on it (replicas, the CLI) sees one log in one order, and a
 * seq is visible only once every lower seq that will ever exist is. `now` is
 * passed in: the store has no clock of its own. The same transactions put the
 * change's webhook event in the outbox (`key.*`, with `actor`: who made it;
 * default `system`).
 */
export interface KeyStore {
  /** Random id created with the database; part of every event id. */
  readonly epoch: string;
  readonly defaultAccountId: string;

  hasAccount(id: string): Promise<boolean>;
  /** Creates the account when missing; true when it was created. */
  ensureAccount(id: string, name: string, now: number): Promise<boolean>;

  createKey(key: NewKey, now: number, actor?: string): Promise<StoredKey>;
  getKey(id: string): Promise<StoredKey | undefined>;
  findByHash(hash: string): Promise<StoredKey | undefined>;
  /** Newest first. */
  listKeys(filter: KeyFilter, now: number): Promise<StoredKey[]>;
  /** Writes an `updated` event with the change; `check` may refuse the resulting key (nothing written). */
  updateKey(id: string, patch: KeyPatch, now: number, check?: PatchCheck, actor?: string): Promise<UpdateResult>;
  /** Idempotent: revoking a revoked key returns it unchanged and writes no event. */
  revokeKey(id: string, now: number, actor?: string): Promise<RevokeResult>;
  /**
   * Issues the successor with everything of `oldId` (name, limits, policies,
   * expiry; rolledFrom = oldId) and ends `oldId` at `oldEndsAt` (now: revoked
   * at once). A revoked or expired key cannot be rolled.
   */
  rollKey(oldId: string, successor: Successor, oldEndsAt: number, now: number, actor?: string): Promise<RollResult>;
  /**
   * Records the key's first leak report and applies `action`, in one
   * transaction; the event proxies get is `revoked` or `updated` when the
   * action changed what they cache, none for `notify`. Idempotent: a key
   * already reported is returned unchanged (first report wins). A first
   * report also queues `key.leaked` for the account's webhooks.
   */
  recordLeak(id: string, leak: KeyLeak, action: LeakAction, now: number, actor?: string): Promise<LeakResult>;
  /** Writes one `expired` event per key whose expiresAt has passed; returns how many. */
  expireDue(now: number): Promise<number>;

  /** Events with seq > `afterSeq`, oldest first. */
  eventsAfter(afterSeq: number, limit: number): Promise<KeyEvent[]>;
  /** The highest seq visible now (or the pruned horizon when the log is empty). */
  latestSeq(): Promise<number>;
  /** Highest seq deleted by retention; a client behind it cannot be replayed. */
  prunedThrough(): Promise<number>;
  /** Keeps the newest `keep` events; returns how many were deleted. */
  pruneEvents(keep: number): Promise<number>;

  /** Adds one batch to the hourly rows in one transaction; returns how many entries named a known key. */
  recordUsage(entries: readonly UsageCount[], now: number): Promise<number>;
  /** Sum of `admitted` in the hourly rows from `since` (an hour boundary) on, over the scope's keys. */
  admittedSince(scope: QuotaScope, since: number): Promise<number>;
  /**
   * Marks that the key crossed this level in this period and, only when it
   * was not marked yet, puts the `quota.<level>` event in the outbox, in one
   * transaction: once per key, level and period, whichever replica sees it.
   */
  markQuotaCrossing(crossing: QuotaCrossing, now: number): Promise<boolean>;
  /** Those of `ids` that have a quota, in one read (a usage batch names up to 10 000 keys, most without one). */
  keysWithQuota(ids: readonly string[]): Promise<StoredKey[]>;
}
