import type { KeystoreKind, RunningKeystore, RunningProxy } from '../processes/apps.ts';
import type { KeystoreAdmin } from './keystore-admin.ts';
import type { MakeKeys } from './make-keys.ts';

/**
 * One keystore back end and the proxy in front of it. The keystore-bound
 * scenarios (e cache miss, g revocation) take one of these and stamp their
 * result with its kind, so a second back end is one more setup in the list,
 * one more row per figure and one more target each, not a new scenario.
 */
export interface KeystoreSetup {
  kind: KeystoreKind;
  keystore: RunningKeystore;
  admin: KeystoreAdmin;
  makeKeys: MakeKeys;
  proxy: RunningProxy;
  /** Another proxy on the same keystore (g needs two). */
  launchProxy: (name: string, env?: Record<string, string>) => Promise<RunningProxy>;
}
