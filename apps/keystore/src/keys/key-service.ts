import { generate, hash, hint, type Environment } from '@routemcp/api-key';
import type { Clock } from '../clock.ts';
import { newKeyId } from '../ids.ts';
import type { KeyFilter, KeyPatch, KeyStore, UsageEntry } from '../store/key-store.ts';
import type { KeyRecord, RateLimit } from './key-record.ts';

export interface CreateKeyInput {
  environment: Environment;
  name?: string | null;
  /** Omitted: the default account. */
  accountId?: string;
  rateLimit?: RateLimit | null;
  expiresAt?: number | null;
}

/** The key itself travels only in this value, straight to the one response that shows it. */
export interface IssuedKey {
  key: string;
  record: KeyRecord;
}

export type CreateResult = { ok: true; issued: IssuedKey } | { ok: false; reason: 'unknown_account' };
export type RollKeyResult =
  { ok: true; issued: IssuedKey; old: KeyRecord } | { ok: false; reason: 'not_found' | 'revoked' };

export interface KeyServiceOptions {
  store: KeyStore;
  clock: Clock;
  /** Called after every committed change, so in-process event streams push at once. */
  onChange?: () => void;
}

/** Key lifecycle shared by the HTTP API and the operator CLI. */
export class KeyService {
  readonly #store: KeyStore;
  readonly #clock: Clock;
  readonly #onChange: () => void;

  constructor(options: KeyServiceOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#onChange = options.onChange ?? (() => {});
  }

  now(): number {
    return this.#clock.now();
  }

  /** `createAccount`: the caller is trusted to name new accounts (the operator). */
  create(input: CreateKeyInput, options: { createAccount: boolean }): CreateResult {
    const now = this.#clock.now();
    const accountId = input.accountId ?? this.#store.defaultAccountId;
    if (!this.#store.hasAccount(accountId)) {
      if (!options.createAccount) return { ok: false, reason: 'unknown_account' };
      this.#store.ensureAccount(accountId, accountId, now);
    }
    const key = generate(input.environment);
    const record = this.#store.createKey(
      {
        id: newKeyId(),
        accountId,
        environment: input.environment,
        hash: hash(key),
        hint: hint(key),
        name: input.name ?? null,
        rateLimit: input.rateLimit ?? null,
        expiresAt: input.expiresAt ?? null,
        rolledFrom: null,
      },
      now,
    );
    this.#onChange();
    return { ok: true, issued: { key, record } };
  }

  get(id: string): KeyRecord | undefined {
    return this.#store.getKey(id);
  }

  findByHash(keyHash: string): KeyRecord | undefined {
    return this.#store.findByHash(keyHash);
  }

  list(filter: KeyFilter = {}): KeyRecord[] {
    return this.#store.listKeys(filter, this.#clock.now());
  }

  update(id: string, patch: KeyPatch): KeyRecord | undefined {
    const updated = this.#store.updateKey(id, patch, this.#clock.now());
    if (updated !== undefined) this.#onChange();
    return updated;
  }

  revoke(id: string): KeyRecord | undefined {
    const result = this.#store.revokeKey(id, this.#clock.now());
    if (!result.ok) return undefined;
    this.#onChange();
    return result.key;
  }

  /** Stripe's roll: a new key now; the old one works for `graceSeconds` more (0: revoked at once). */
  roll(id: string, graceSeconds: number): RollKeyResult {
    const now = this.#clock.now();
    const old = this.#store.getKey(id);
    if (old === undefined) return { ok: false, reason: 'not_found' };
    const key = generate(old.environment);
    const result = this.#store.rollKey(
      id,
      {
        id: newKeyId(),
        accountId: old.accountId,
        environment: old.environment,
        hash: hash(key),
        hint: hint(key),
        name: old.name,
        rateLimit: old.rateLimit,
        expiresAt: null,
        rolledFrom: old.id,
      },
      now + graceSeconds * 1000,
      now,
    );
    if (!result.ok) return result;
    this.#onChange();
    return { ok: true, issued: { key, record: result.created }, old: result.old };
  }

  /** Announces keys whose expiresAt has passed; run by a timer in the server. */
  expireDue(): number {
    const count = this.#store.expireDue(this.#clock.now());
    if (count > 0) this.#onChange();
    return count;
  }

  /** Adds a proxy's batch to the hourly counters; returns how many entries named a known key. */
  recordUsage(entries: readonly UsageEntry[]): number {
    return this.#store.recordUsage(entries, this.#clock.now());
  }
}
