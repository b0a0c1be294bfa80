import type { KeyLookupStatus } from '@routemcp/internal-api';
import type { KeyRecord } from './key-verifier.ts';

export type KeyStatus = KeyLookupStatus;

/**
 * Why a lookup produced no answer. None of these may ever become a 401.
 * `server_error` is a 5xx; `rejected` any other unexpected status (a wrong
 * service token's 401): the keystore is up, and another replica would say
 * the same.
 */
export type LookupErrorKind = 'timeout' | 'connection' | 'server_error' | 'rejected' | 'body' | 'circuit_open';

/** A keystore answer as a value: expected failures never throw. */
export type LookupResult =
  | { kind: 'found'; record: KeyRecord; status: KeyStatus }
  | { kind: 'not-found' }
  | { kind: 'error'; error: LookupErrorKind };

/** The keystore's internal lookup by key hash (docs/internal-api.md). */
export interface KeystoreClient {
  /** Never rejects. */
  lookup(keyHash: string): Promise<LookupResult>;
  /** Releases connections (shutdown). */
  close?(): Promise<void>;
}
