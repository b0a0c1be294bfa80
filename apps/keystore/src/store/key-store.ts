import type { Environment } from '@routemcp/api-key';
import type { KeyEventType, RateLimit } from '@routemcp/internal-api';
import type { KeyStatus, StoredKey } from '../keys/key-record.ts';

export type { KeyEventType };

export interface KeyEvent {
  seq: number;
  type: KeyEventType;
  keyId: string;
  keyHash: string;
  /** Epoch milliseconds. */
  at: number;
}

export interface NewKey {
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

export interface KeyPatch {
  name?: string | null;
  rateLimit?: RateLimit | null;
}

export type RevokeResult = { ok: true; key: StoredKey } | { ok: false; reason: 'not_found' };
export type RollResult =
  { ok: true; old: StoredKey; created: StoredKey } | { ok: false; reason: 'not_found' | 'revoked' };

/** One key's counts from one proxy batch, its time parsed (the wire form is `UsageEntry` of @routemcp/internal-api). */
export interface UsageCount {
  keyId: string;
  requests: number;
  rateLimited: number;
  lastUsedAt: number;
}

/**
 * Durable key storage. Every method that changes a key writes that key's
 * event row in the same transaction, so the event log never misses a change
 * and never announces one that did not commit. Event seqs are per database:
 * every process on it (replicas, the CLI) sees one log in one order, and a
 * seq is visible only once every lower seq that will ever exist is. `now` is
 * passed in: the store has no clock of its own.
 */
export interface KeyStore {
  /** Random id created with the database; part of every event id. */
  readonly epoch: string;
  readonly defaultAccountId: string;

  hasAccount(id: string): Promise<boolean>;
  /** Creates the account when missing; true when it was created. */
  ensureAccount(id: string, name: string, now: number): Promise<boolean>;

  createKey(key: NewKey, now: number): Promise<StoredKey>;
  getKey(id: string): Promise<StoredKey | undefined>;
  findByHash(hash: string): Promise<StoredKey | undefined>;
  /** Newest first. */
  listKeys(filter: KeyFilter, now: number): Promise<StoredKey[]>;
  updateKey(id: string, patch: KeyPatch, now: number): Promise<StoredKey | undefined>;
  /** Idempotent: revoking a revoked key returns it unchanged and writes no event. */
  revokeKey(id: string, now: number): Promise<RevokeResult>;
  /** Issues `next` and ends `oldId` at `oldEndsAt` (now: revoked at once). */
  rollKey(oldId: string, next: NewKey, oldEndsAt: number, now: number): Promise<RollResult>;
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
}
