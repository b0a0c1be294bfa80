import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock.ts';
import type { CircuitBreaker } from '../resilience/index.ts';
import type { KeyLookupMetrics } from './key-lookup-metrics.ts';
import type { KeyChangeListener, KeyRecord, KeyVerifier, Verdict, VerifierHealth } from './key-verifier.ts';
import type { KeystoreClient, LookupResult } from './keystore-client.ts';

const UNKNOWN: Verdict = Object.freeze({ ok: false, reason: 'unknown' });
const REVOKED: Verdict = Object.freeze({ ok: false, reason: 'revoked' });
const EXPIRED: Verdict = Object.freeze({ ok: false, reason: 'expired' });
const UNAVAILABLE: Verdict = Object.freeze({ ok: false, reason: 'unavailable' });
const CIRCUIT_OPEN: LookupResult = Object.freeze({ kind: 'error', error: 'circuit_open' });

interface CacheEntry {
  /** Ready-made, so a hit allocates nothing. */
  readonly verdict: Verdict;
  /** Epoch ms after which the key itself has expired (checked on every hit), or null. */
  readonly keyExpiresAt: number | null;
  readonly fetchedAt: number;
  readonly freshUntil: number;
}

/** Something that keeps the cache honest between TTLs (the keystore's change events). */
export interface ChangeFeed {
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface CachingKeyVerifierOptions {
  keystore: KeystoreClient;
  /**
   * In front of a keystore client that has none of its own. The proxy's
   * client keeps one per replica (`FailoverKeystoreClient`) and answers
   * `circuit_open` itself when every replica's is open.
   */
  breaker?: CircuitBreaker;
  metrics: KeyLookupMetrics;
  clock: Clock;
  cacheMaxKeys: number;
  cacheTtlMs: number;
  /** For unknown and revoked keys. */
  negativeTtlMs: number;
  /**
   * How long after it was fetched an answer may still be served while the
   * keystore is failing. It counts from the fetch, so only the part beyond
   * `cacheTtlMs` adds anything. Only known keys (active or revoked) are
   * served stale: "unknown" could be a key created since, and a 401 must
   * never be caused by the keystore being down.
   */
  staleIfErrorMs: number;
  /** Builds the feed that reports into this verifier (`evict`, `flush`, `eventsConnection`). */
  changeFeed?: (verifier: CachingKeyVerifier) => ChangeFeed;
}

/**
 * Key lookup by SHA-256: LRU cache in front of the keystore, negative
 * caching, one keystore call per key however many requests miss at once,
 * stale-if-error, and a circuit breaker so a dead keystore costs nothing
 * per request. Positive and negative answers live in separate LRUs so a
 * flood of unknown keys cannot push the real ones out.
 */
export class CachingKeyVerifier implements KeyVerifier {
  readonly #positive: LRUCache<string, CacheEntry>;
  readonly #negative: LRUCache<string, CacheEntry>;
  readonly #inflight = new Map<string, Promise<Verdict>>();
  readonly #options: CachingKeyVerifierOptions;
  #reachable = false;
  #eventsConnected = false;
  readonly #changeFeed: ChangeFeed | undefined;
  readonly #listeners: KeyChangeListener[] = [];

  constructor(options: CachingKeyVerifierOptions) {
    this.#options = options;
    this.#positive = new LRUCache({ max: options.cacheMaxKeys });
    this.#negative = new LRUCache({ max: options.cacheMaxKeys });
    this.#changeFeed = options.changeFeed?.(this);
  }

  verify(keyHash: string): Verdict | Promise<Verdict> {
    const now = this.#options.clock.now();
    const positive = this.#positive.get(keyHash);
    if (positive !== undefined) {
      if (now >= positive.freshUntil) return this.#miss(keyHash, positive);
      this.#options.metrics.cache.hit.inc();
      return verdictAt(positive, now);
    }
    const negative = this.#negative.get(keyHash);
    if (negative !== undefined && now < negative.freshUntil) {
      this.#options.metrics.cache.negative_hit.inc();
      return negative.verdict;
    }
    return this.#miss(keyHash, negative);
  }

  /** Forgets one key (a change event named it). An in-flight lookup for it is not cached either. */
  evict(keyHash: string): void {
    this.#positive.delete(keyHash);
    this.#negative.delete(keyHash);
    this.#inflight.delete(keyHash);
    this.#changed(keyHash);
  }

  /** Forgets a cached "unknown" for this key (it has just been created). */
  forgetUnknown(keyHash: string): void {
    this.#negative.delete(keyHash);
  }

  /** Forgets every key. */
  flush(): void {
    this.#positive.clear();
    this.#negative.clear();
    this.#inflight.clear();
    this.#changed(null);
  }

  onChange(listener: KeyChangeListener): void {
    this.#listeners.push(listener);
  }

  /** After the cache let go, so a listener that asks again reaches the keystore. */
  #changed(keyHash: string | null): void {
    for (const listener of this.#listeners) listener(keyHash);
  }

  /** Reports of the change feed's connection (also proof the keystore is reachable). */
  eventsConnection(connected: boolean): void {
    this.#eventsConnected = connected;
    if (connected) this.#reachable = true;
  }

  health(): VerifierHealth {
    return {
      keystoreReachable: this.#reachable,
      eventsConnected: this.#eventsConnected,
      cachedKeys: this.#positive.size + this.#negative.size,
    };
  }

  async start(): Promise<void> {
    await this.#changeFeed?.start();
  }

  async close(): Promise<void> {
    await this.#changeFeed?.close();
    await this.#options.keystore.close?.();
  }

  #miss(keyHash: string, previous: CacheEntry | undefined): Promise<Verdict> {
    const pending = this.#inflight.get(keyHash);
    if (pending !== undefined) {
      this.#options.metrics.cache.coalesced.inc();
      return pending;
    }
    this.#options.metrics.cache.miss.inc();
    const load: Promise<Verdict> = this.#load(keyHash, previous, () => this.#inflight.get(keyHash) === load);
    this.#inflight.set(keyHash, load);
    return load;
  }

  /**
   * `isCurrent` turns false when an event evicted this key (or flushed all)
   * while the lookup was in flight: its answer may predate the change, so it
   * is returned to the callers that were already waiting but not cached.
   */
  async #load(keyHash: string, previous: CacheEntry | undefined, isCurrent: () => boolean): Promise<Verdict> {
    try {
      const result = await this.#lookup(keyHash);
      const now = this.#options.clock.now();
      const current = isCurrent();
      if (current) this.#inflight.delete(keyHash);
      if (result.kind === 'error') {
        if (
          current &&
          previous !== undefined &&
          previous.verdict !== UNKNOWN &&
          now - previous.fetchedAt <= this.#options.staleIfErrorMs
        ) {
          this.#options.metrics.cache.stale.inc();
          return verdictAt(previous, now);
        }
        return UNAVAILABLE;
      }
      const entry = this.#entryFor(result, now);
      if (current) {
        const [target, other] = entry.verdict.ok ? [this.#positive, this.#negative] : [this.#negative, this.#positive];
        other.delete(keyHash);
        target.set(keyHash, entry);
      }
      return verdictAt(entry, now);
    } catch {
      // KeystoreClient never rejects; this only guards against our own bugs turning into a 500 or a 401.
      if (isCurrent()) this.#inflight.delete(keyHash);
      return UNAVAILABLE;
    }
  }

  async #lookup(keyHash: string): Promise<LookupResult> {
    const { breaker, metrics, clock, keystore } = this.#options;
    if (breaker !== undefined && !breaker.allow()) {
      metrics.keystore.circuit_open.inc();
      return CIRCUIT_OPEN;
    }
    const started = clock.now();
    const result = await keystore.lookup(keyHash);
    if (result.kind === 'error') {
      breaker?.failure();
      this.#reachable = false;
      // The client's own breakers (one per replica) refused every replica: nothing was called.
      if (result.error === 'circuit_open') {
        metrics.keystore.circuit_open.inc();
        return result;
      }
      metrics.keystore.error.inc();
    } else {
      breaker?.success();
      metrics.keystore[result.kind === 'found' ? 'found' : 'not_found'].inc();
      this.#reachable = true;
    }
    metrics.keystoreDuration.observe((clock.now() - started) / 1000);
    return result;
  }

  #entryFor(result: Exclude<LookupResult, { kind: 'error' }>, now: number): CacheEntry {
    const { cacheTtlMs, negativeTtlMs } = this.#options;
    if (result.kind === 'not-found') return entry(UNKNOWN, null, now, now + negativeTtlMs);
    if (result.status === 'revoked') return entry(REVOKED, null, now, now + negativeTtlMs);
    const record: KeyRecord = result.record;
    return entry({ ok: true, key: record }, record.expiresAt, now, now + cacheTtlMs);
  }
}

function entry(verdict: Verdict, keyExpiresAt: number | null, fetchedAt: number, freshUntil: number): CacheEntry {
  return { verdict, keyExpiresAt, fetchedAt, freshUntil };
}

function verdictAt(entry: CacheEntry, now: number): Verdict {
  return entry.keyExpiresAt !== null && now >= entry.keyExpiresAt ? EXPIRED : entry.verdict;
}
