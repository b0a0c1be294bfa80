import type { KeyLookupStatus } from '@routemcp/internal-api';
import type { KeyRecord } from './key-verifier.ts';

export type KeyStatus = KeyLookupStatus;

/** Why a lookup produced no answer. None of these may ever become a 401. */
export type LookupErrorKind = 'timeout' | 'connection' | 'status' | 'body' | 'circuit_open';

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
