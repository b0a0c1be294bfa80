import type { KeystoreKind, RunningKeystore, RunningProxy } from '../processes/apps.ts';
import type { KeystoreAdmin } from './keystore-admin.ts';
import type { MakeKeys } from './make-keys.ts';

/**
 * One keystore back end and the proxy in front of it. The keystore-bound
 * scenarios (cache-miss, revocation) take one of these and stamp their
 * result with its kind, so a second back end is one more setup in the list,
 * one more row per figure and one more target each, not a new scenario.
 */
export interface KeystoreSetup {
  kind: KeystoreKind;
  /** The keystore (replica) `proxy` is served by. */
  keystore: RunningKeystore;
  /** Through `keystore`. */
  admin: KeystoreAdmin;
  makeKeys: MakeKeys;
  proxy: RunningProxy;
  /**
   * Keystore processes on the database: 1 (SQLite), or 2 replicas
   * (PostgreSQL), where the second proxy of (revocation) is served by the other one.
   */
  replicas: number;
  /**
   * (revocation)'s second proxy, and the admin client of the replica it is served by
   * (the same keystore on SQLite; the other replica on PostgreSQL, so a
   * revocation made through one replica must reach a proxy of the other).
   */
  launchSecondProxy: (name: string) => Promise<{ proxy: RunningProxy; admin: KeystoreAdmin }>;
  /** Stops what only this setup uses (none for the SQLite one, which the other scenarios share). */
  stop: () => Promise<void>;
}
