import { hash } from '@routemcp/api-key';
import type { KeyChangeListener, KeyRecord, KeyVerifier, Verdict, VerifierHealth } from '../key-lookup/index.ts';

/** An in-memory KeyVerifier: keys are registered by value, looked up by hash like the real one. */
export class FakeKeyVerifier implements KeyVerifier {
  readonly lookups: string[] = [];
  healthState: VerifierHealth = { keystoreReachable: true, eventsConnected: true, cachedKeys: 0 };
  started = false;
  closed = false;
  #verdicts = new Map<string, Verdict>();
  #fallback: Verdict = { ok: false, reason: 'unknown' };
  #listeners: KeyChangeListener[] = [];

  /** Registers a valid key; returns its record. */
  add(key: string, record: Partial<KeyRecord> & Pick<KeyRecord, 'environment'>): KeyRecord {
    const full: KeyRecord = {
      id: `key_${hash(key).slice(0, 12)}`,
      accountId: 'acct_test',
      expiresAt: null,
      rateLimit: null,
      ...record,
    };
    this.#verdicts.set(hash(key), { ok: true, key: full });
    return full;
  }

  revoke(key: string): void {
    this.#verdicts.set(hash(key), { ok: false, reason: 'revoked' });
  }

  /** Answers `verdict` for this key from now on (an update, an expiry, an outage of one key). */
  answer(key: string, verdict: Verdict): void {
    this.#verdicts.set(hash(key), verdict);
  }

  /** What a change event does to the real verifier: tells the listeners (`null`: every key, a flush). */
  changed(key: string | null): void {
    for (const listener of this.#listeners) listener(key === null ? null : hash(key));
  }

  onChange(listener: KeyChangeListener): void {
    this.#listeners.push(listener);
  }

  /** What every key that was not added gets: 'unknown', or 'unavailable' to simulate an outage. */
  otherwise(verdict: Verdict): void {
    this.#fallback = verdict;
  }

  /** While set, every lookup waits for it: a slow keystore under test control. */
  gate: Promise<void> | null = null;

  async verify(keyHash: string): Promise<Verdict> {
    this.lookups.push(keyHash);
    if (this.gate !== null) await this.gate;
    return this.#verdicts.get(keyHash) ?? this.#fallback;
  }

  health(): VerifierHealth {
    return this.healthState;
  }

  async start(): Promise<void> {
    this.started = true;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
