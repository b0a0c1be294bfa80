import type { UsageEntry } from '@routemcp/internal-api';
import type { Counter, Registry } from 'prom-client';
import { Counter as PromCounter } from 'prom-client';
import type { Clock } from '../clock.ts';

export type { UsageEntry };

/** Where batches go: the keystore's `POST /internal/v1/usage`. */
export interface UsageSink {
  send(entries: UsageEntry[]): Promise<void>;
}

interface Pending {
  requests: number;
  rateLimited: number;
  admitted: number;
  lastUsedAt: number;
}

export interface UsageRecorderOptions {
  sink: UsageSink;
  clock: Clock;
  registry: Registry;
  /** Distinct keys held between flushes; reaching it sends a batch early, and while that batch is in flight new keys are dropped (and counted), never memory. */
  maxKeys?: number;
}

/**
 * Counts per-key usage in memory and reports it in batches, so the keystore
 * sees one write per key per flush instead of one per request. A failed
 * flush is merged back and retried with the next one.
 */
export class UsageRecorder {
  readonly #sink: UsageSink;
  readonly #clock: Clock;
  readonly #maxKeys: number;
  readonly #dropped: Counter;
  readonly #flushes: Counter<'result'>;
  #pending = new Map<string, Pending>();
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;

  constructor(options: UsageRecorderOptions) {
    this.#sink = options.sink;
    this.#clock = options.clock;
    this.#maxKeys = options.maxKeys ?? 10_000;
    this.#dropped = new PromCounter({
      name: 'routemcp_proxy_usage_dropped_total',
      help: 'Usage records dropped because too many distinct keys were pending.',
      registers: [options.registry],
    });
    this.#flushes = new PromCounter({
      name: 'routemcp_proxy_usage_flushes_total',
      help: 'Usage batches sent to the keystore, by result.',
      labelNames: ['result'],
      registers: [options.registry],
    });
  }

  /** Hot path: one map lookup and two additions (a new key past `maxKeys` starts a flush). */
  record(keyId: string, rateLimited: boolean, admitted = !rateLimited): void {
    const now = this.#clock.now();
    let entry = this.#pending.get(keyId);
    if (entry === undefined) {
      // Full: send what is pending now rather than wait for the timer; drop
      // only while an earlier batch is still on its way (a slow keystore).
      if (this.#pending.size >= this.#maxKeys && this.#inFlight === undefined) void this.flush();
      if (this.#pending.size >= this.#maxKeys) {
        this.#dropped.inc();
        return;
      }
      entry = { requests: 0, rateLimited: 0, admitted: 0, lastUsedAt: now };
      this.#pending.set(keyId, entry);
    }
    entry.requests += 1;
    if (rateLimited) entry.rateLimited += 1;
    if (admitted) entry.admitted += 1;
    if (now > entry.lastUsedAt) entry.lastUsedAt = now;
  }

  /** Sends what is pending; resolves when done (never rejects). */
  flush(): Promise<void> {
    if (this.#inFlight !== undefined) return this.#inFlight;
    if (this.#pending.size === 0) return Promise.resolve();
    const batch = this.#pending;
    this.#pending = new Map();
    const entries = [...batch].map(([keyId, entry]) => ({
      keyId,
      requests: entry.requests,
      rateLimited: entry.rateLimited,
      admitted: entry.admitted,
      lastUsedAt: new Date(entry.lastUsedAt).toISOString(),
    }));
    this.#inFlight = this.#sink
      .send(entries)
      .then(
        () => void this.#flushes.inc({ result: 'ok' }),
        () => {
          this.#flushes.inc({ result: 'error' });
          this.#mergeBack(batch);
        },
      )
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }

  start(intervalMs: number): void {
    this.#timer = setInterval(() => void this.flush(), intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and sends the last batch. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#inFlight;
    await this.flush();
  }

  #mergeBack(batch: Map<string, Pending>): void {
    for (const [keyId, old] of batch) {
      const entry = this.#pending.get(keyId);
      if (entry !== undefined) {
        entry.requests += old.requests;
        entry.rateLimited += old.rateLimited;
        entry.admitted += old.admitted;
        entry.lastUsedAt = Math.max(entry.lastUsedAt, old.lastUsedAt);
      } else if (this.#pending.size < this.#maxKeys) {
        this.#pending.set(keyId, old);
      } else {
        this.#dropped.inc(old.requests);
      }
    }
  }
}
