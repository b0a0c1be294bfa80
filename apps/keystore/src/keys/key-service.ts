import { generate, hash, hint, type Environment } from '@routemcp/api-key';
import { quotaPeriodEnd, quotaPeriodStart } from '@routemcp/internal-api';
import type { Clock } from '../clock.ts';
import { newKeyId } from '../ids.ts';
import { SYSTEM_ACTOR } from '../webhooks/webhook-record.ts';
import type { KeyFilter, KeyPatch, KeyStore, UpdateResult, UsageCount } from '../store/key-store.ts';
import { quotaLevels } from './quota-crossing.ts';
import { NO_POLICIES, policyConflict, type KeyPolicies, type RateLimit, type StoredKey } from './key-record.ts';

export interface CreateKeyInput extends Partial<KeyPolicies> {
  environment: Environment;
  name?: string | null;
  /** Omitted: the default account. */
  accountId?: string;
  rateLimit?: RateLimit | null;
  expiresAt?: number | null;
}

/** Where a key stands against its quota now. Times are epoch ms. */
export interface QuotaUsage {
  used: number;
  remaining: number;
  periodStart: number;
  /** When the next period starts; null for a `total` quota. */
  resetsAt: number | null;
}

/** The key itself travels only in this value, straight to the one response that shows it. */
export interface IssuedKey {
  key: string;
  record: StoredKey;
}

export type CreateResult =
  | { ok: true; issued: IssuedKey }
  | { ok: false; reason: 'unknown_account' }
  | { ok: false; reason: 'invalid'; message: string };
export type RollKeyResult =
  { ok: true; issued: IssuedKey; old: StoredKey } | { ok: false; reason: 'not_found' | 'revoked' | 'expired' };

export interface KeyServiceOptions {
  store: KeyStore;
  clock: Clock;
  /** Called after every committed change, so in-process event streams push at once. */
  onChange?: () => void;
  /** Who changes keys when a call names no one (webhook events' `actor`): `cli` for the operator CLI. */
  actor?: string;
}

/** Key lifecycle shared by the HTTP API and the operator CLI. */
export class KeyService {
  readonly #store: KeyStore;
  readonly #clock: Clock;
  readonly #onChange: () => void;
  readonly #actor: string;

  constructor(options: KeyServiceOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#onChange = options.onChange ?? (() => {});
    this.#actor = options.actor ?? SYSTEM_ACTOR;
  }

  now(): number {
    return this.#clock.now();
  }

  /** The account that is used when the operator names none. */
  get defaultAccountId(): string {
    return this.#store.defaultAccountId;
  }

  hasAccount(id: string): Promise<boolean> {
    return this.#store.hasAccount(id);
  }

  /** `createAccount`: the caller is trusted to name new accounts (the operator). */
  async create(input: CreateKeyInput, options: { createAccount: boolean; actor?: string }): Promise<CreateResult> {
    const now = this.#clock.now();
    const policies: KeyPolicies = { ...NO_POLICIES };
    for (const field of Object.keys(NO_POLICIES) as (keyof KeyPolicies)[]) {
      if (input[field] !== undefined) Object.assign(policies, { [field]: input[field] });
    }
    const conflict = policyConflict({ rateLimit: input.rateLimit ?? null, ...policies });
    if (conflict !== undefined) return { ok: false, reason: 'invalid', message: conflict };
    const accountId = input.accountId ?? this.#store.defaultAccountId;
    if (!(await this.#store.hasAccount(accountId))) {
      if (!options.createAccount) return { ok: false, reason: 'unknown_account' };
      await this.#store.ensureAccount(accountId, accountId, now);
    }
    const key = generate(input.environment);
    const record = await this.#store.createKey(
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
        ...policies,
      },
      now,
      options.actor ?? this.#actor,
    );
    this.#onChange();
    return { ok: true, issued: { key, record } };
  }

  get(id: string): Promise<StoredKey | undefined> {
    return this.#store.getKey(id);
  }

  findByHash(keyHash: string): Promise<StoredKey | undefined> {
    return this.#store.findByHash(keyHash);
  }

  list(filter: KeyFilter = {}): Promise<StoredKey[]> {
    return this.#store.listKeys(filter, this.#clock.now());
  }

  /** Refused, with nothing written, when the key would end up with settings that conflict (`policyConflict`). */
  async update(id: string, patch: KeyPatch, actor = this.#actor): Promise<UpdateResult> {
    const result = await this.#store.updateKey(id, patch, this.#clock.now(), policyConflict, actor);
    if (result.ok) this.#onChange();
    return result;
  }

  async revoke(id: string, actor = this.#actor): Promise<StoredKey | undefined> {
    const result = await this.#store.revokeKey(id, this.#clock.now(), actor);
    if (!result.ok) return undefined;
    this.#onChange();
    return result.key;
  }

  /**
   * Stripe's roll: a new key now, with everything of the old one (settings,
   * policies, expiry); the old one works for `graceSeconds` more (0: revoked
   * at once).
   */
  async roll(id: string, graceSeconds: number, actor = this.#actor): Promise<RollKeyResult> {
    const now = this.#clock.now();
    const old = await this.#store.getKey(id);
    if (old === undefined) return { ok: false, reason: 'not_found' };
    const key = generate(old.environment);
    const result = await this.#store.rollKey(
      id,
      { id: newKeyId(), hash: hash(key), hint: hint(key) },
      now + graceSeconds * 1000,
      now,
      actor,
    );
    if (!result.ok) return result;
    this.#onChange();
    return { ok: true, issued: { key, record: result.created }, old: result.old };
  }

  /** Announces keys whose expiresAt has passed; run by a timer in the server. */
  async expireDue(): Promise<number> {
    const count = await this.#store.expireDue(this.#clock.now());
    if (count > 0) this.#onChange();
    return count;
  }

  /**
   * Adds a proxy's batch to the hourly counters, then announces the quotas
   * it took past 80 % or 100 % (quota.warning, quota.exceeded: once per key
   * and period, marked in the database). Returns how many entries named a known key.
   */
  async recordUsage(entries: readonly UsageCount[]): Promise<number> {
    const recorded = await this.#store.recordUsage(entries, this.#clock.now());
    const used = new Set(entries.filter((entry) => entry.admitted > 0).map((entry) => entry.keyId));
    let announced = false;
    for (const key of await this.#store.keysWithQuota([...used])) {
      if (key.quota === null) continue;
      const usage = await this.quotaUsage(key);
      if (usage === null) continue;
      for (const level of quotaLevels(key.quota.limit, usage.used)) {
        const quota = { limit: key.quota.limit, period: key.quota.period, used: usage.used };
        const crossing = { keyId: key.id, level, periodStart: usage.periodStart, quota };
        if (await this.#store.markQuotaCrossing(crossing, this.#clock.now())) announced = true;
      }
    }
    if (announced) this.#onChange();
    return recorded;
  }

  /**
   * The key's quota use in the current UTC period, from the usage batches
   * (so behind by at most the proxies' flush interval); null without a quota.
   * A shared quota counts every key of the owner; a key's own quota also
   * counts the keys it was rolled from, so a roll does not restart it.
   */
  async quotaUsage(key: StoredKey): Promise<QuotaUsage | null> {
    if (key.quota === null) return null;
    const now = this.#clock.now();
    const periodStart = quotaPeriodStart(key.quota.period, now);
    const scope = key.quota.shared && key.ownerId !== null ? { ownerId: key.ownerId } : { keyId: key.id };
    const used = await this.#store.admittedSince(scope, periodStart);
    return {
      used,
      remaining: Math.max(0, key.quota.limit - used),
      periodStart,
      resetsAt: quotaPeriodEnd(key.quota.period, now),
    };
  }
}
