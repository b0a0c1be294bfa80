import type { KeyRecord, KeyStatus, KeystoreClient, LookupResult } from '../key-lookup/index.ts';

/** In-memory `KeystoreClient` for tests and local wiring: set answers, count calls. */
export class MemoryKeystoreClient implements KeystoreClient {
  readonly #records = new Map<string, { record: KeyRecord; status: KeyStatus }>();
  /** When set, every lookup answers this error instead. */
  failWith: LookupResult | null = null;
  calls = 0;

  put(keyHash: string, record: KeyRecord, status: KeyStatus = 'active'): void {
    this.#records.set(keyHash, { record, status });
  }

  delete(keyHash: string): void {
    this.#records.delete(keyHash);
  }

  async lookup(keyHash: string): Promise<LookupResult> {
    this.calls++;
    if (this.failWith) return this.failWith;
    const entry = this.#records.get(keyHash);
    return entry ? { kind: 'found', record: entry.record, status: entry.status } : { kind: 'not-found' };
  }
}
