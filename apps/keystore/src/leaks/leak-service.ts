import { hash, parse } from '@routemcp/api-key';
import type { LeakLabel } from '@routemcp/internal-api';
import type { Clock } from '../clock.ts';
import type { StoredKey } from '../keys/key-record.ts';
import type { KeyStore } from '../store/key-store.ts';
import { leakAction, type LeakPolicy } from './leak-policy.ts';

/** Where a report says a secret was found. */
export interface LeakWhere {
  url: string;
  source: string;
}

/** One reported secret: the token as found, or only its SHA-256 (a scanner that keeps no plaintext). */
export type LeakItem = ({ token: string } | { keyHash: string }) & { where: LeakWhere };

export interface LeakVerdict {
  /** SHA-256 hex of the token (for a `keyHash` item, that hash). */
  keyHash: string;
  label: LeakLabel;
  /** Our key, when the label is true_positive. */
  key: StoredKey | undefined;
  /** This report was the key's first: the leak was recorded and the action applied now. */
  recorded: boolean;
}

export interface LeakServiceOptions {
  store: KeyStore;
  clock: Clock;
  policy: LeakPolicy;
  /** Called after a report changed something, so in-process event streams push at once. */
  onChange?: () => void;
}

const FALSE_POSITIVE = { label: 'false_positive', key: undefined, recorded: false } as const;

/**
 * Decides which reported secrets are our keys and handles them (issue 24).
 * A token is ours only when it parses with a matching CRC32: `sk_live_` is
 * Stripe's prefix too, and their keys fail our checksum here, before any
 * database read. A well-formed key we never issued is a false positive too.
 */
export class LeakService {
  readonly #store: KeyStore;
  readonly #clock: Clock;
  readonly #policy: LeakPolicy;
  readonly #onChange: () => void;

  constructor(options: LeakServiceOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#policy = options.policy;
    this.#onChange = options.onChange ?? (() => {});
  }

  /**
   * One verdict per item, in order. `accountId`: the reporter sees only that
   * account's keys; any other key is a false positive, as an unknown one is.
   * `reporter` is the `key.leaked` webhook's actor (`github`, an email, `operator`).
   */
  async report(items: readonly LeakItem[], accountId?: string, reporter?: string): Promise<LeakVerdict[]> {
    const verdicts: LeakVerdict[] = [];
    let changed = false;
    for (const item of items) {
      const verdict = await this.#judge(item, accountId, reporter);
      changed ||= verdict.recorded;
      verdicts.push(verdict);
    }
    if (changed) this.#onChange();
    return verdicts;
  }

  async #judge(item: LeakItem, accountId: string | undefined, reporter: string | undefined): Promise<LeakVerdict> {
    let keyHash: string;
    if ('token' in item) {
      keyHash = hash(item.token);
      if (!parse(item.token).ok) return { keyHash, ...FALSE_POSITIVE };
    } else {
      keyHash = item.keyHash;
    }
    const found = await this.#store.findByHash(keyHash);
    if (found === undefined || (accountId !== undefined && found.accountId !== accountId)) {
      return { keyHash, ...FALSE_POSITIVE };
    }
    const now = this.#clock.now();
    const result = await this.#store.recordLeak(
      found.id,
      { at: now, ...item.where },
      leakAction(this.#policy, found.environment, now),
      now,
      reporter,
    );
    // Deleted between the two reads: keys are never deleted today, but a key that is gone is not ours.
    if (!result.ok) return { keyHash, ...FALSE_POSITIVE };
    return { keyHash, label: 'true_positive', key: result.key, recorded: result.recorded };
  }
}
