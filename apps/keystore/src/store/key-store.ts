import type { Environment } from '@routemcp/api-key';
import type { KeyRecord, KeyStatus, RateLimit } from '../keys/key-record.ts';

export type KeyEventType = 'created' | 'revoked' | 'rolled' | 'updated' | 'expired';

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

export type RevokeResult = { ok: true; key: KeyRecord } | { ok: false; reason: 'not_found' };
export type RollResult =
  { ok: true; old: KeyRecord; created: KeyRecord } | { ok: false; reason: 'not_found' | 'revoked' };

export interface UsageEntry {
  keyId: string;
  requests: number;
  rateLimited: number;
  lastUsedAt: number;
}

/**
 * Durable key storage. Every method that changes a key writes that key's
 * event row in the same transaction, so the event log never misses a change
 * and never announces one that did not commit. `now` is passed in: the store
 * has no clock of its own.
 */
export interface KeyStore {
  /** Random id created with the database; part of every event id. */
  readonly epoch: string;
  readonly defaultAccountId: string;

  hasAccount(id: string): boolean;
  /** Creates the account when missing; true when it was created. */
  ensureAccount(id: string, name: string, now: number): boolean;

  createKey(key: NewKey, now: number): KeyRecord;
  getKey(id: string): KeyRecord | undefined;
  findByHash(hash: string): KeyRecord | undefined;
  /** Newest first. */
  listKeys(filter: KeyFilter, now: number): KeyRecord[];
  updateKey(id: string, patch: KeyPatch, now: number): KeyRecord | undefined;
  /** Idempotent: revoking a revoked key returns it unchanged and writes no event. */
  revokeKey(id: string, now: number): RevokeResult;
  /** Issues `next` and ends `oldId` at `oldEndsAt` (now: revoked at once). */
  rollKey(oldId: string, next: NewKey, oldEndsAt: number, now: number): RollResult;
  /** Writes one `expired` event per key whose expiresAt has passed; returns how many. */
  expireDue(now: number): number;

  /** Events with seq > `afterSeq`, oldest first. */
  eventsAfter(afterSeq: number, limit: number): KeyEvent[];
  latestSeq(): number;
  /** Highest seq deleted by retention; a client behind it cannot be replayed. */
  prunedThrough(): number;
  /** Keeps the newest `keep` events; returns how many were deleted. */
  pruneEvents(keep: number): number;

  recordUsage(entries: readonly UsageEntry[], now: number): number;
  close(): void;
}
