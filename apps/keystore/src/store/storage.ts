import type { AccountStore } from '../accounts/account-store.ts';
import type { FailureStore } from '../accounts/failure-store.ts';
import type { WebhookStore } from '../webhooks/webhook-store.ts';
import type { KeyStore } from './key-store.ts';

/** Tells the event hub that new events may be in the log (another replica or process wrote them). */
export interface EventSignal {
  /**
   * `onWake` runs on every hint, and after every (re)connect of the
   * listener, since hints sent while it was away are lost. A hint carries no
   * data: the hub reads the log from its cursor.
   */
  subscribe(onWake: () => void): () => void;
}

/** Everything the keystore keeps, on one database, behind one interface per concern. */
export interface Storage {
  readonly engine: 'sqlite' | 'postgres';
  readonly keys: KeyStore;
  readonly accounts: AccountStore;
  readonly failures: FailureStore;
  readonly webhooks: WebhookStore;
  /** Undefined: no push from other processes; the hub's poll is the only way it learns of them. */
  readonly eventSignal: EventSignal | undefined;
  /** Migration steps this process applied when it opened the database (0: another did, or none were due). */
  readonly migrationsApplied: number;
  /** Resolves when the database answers a query; rejects, bounded in time, when it does not (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
