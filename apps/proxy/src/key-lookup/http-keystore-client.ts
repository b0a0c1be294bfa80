import { keyLookupPath } from '@routemcp/internal-api';
import { Pool } from 'undici';
import { RoundTripDeadline } from '../resilience/index.ts';
import type { KeystoreClient, LookupResult } from './keystore-client.ts';
import { parseLookupResponse } from './lookup-response.ts';

const TIMEOUT: LookupResult = Object.freeze({ kind: 'error', error: 'timeout' });

export interface HttpKeystoreClientOptions {
  keystoreUrl: string;
  serviceToken: string;
  /** KEYSTORE_TIMEOUT_MS: the least a lookup waits. */
  timeoutMs: number;
  /** KEYSTORE_TIMEOUT_MAX_MS: the most a lookup waits, and the deadline until the first answer; absent: `timeoutMs`, fixed. */
  timeoutMaxMs?: number;
  /** Upper bound on connections to the keystore, so a storm of misses cannot open one socket each. */
  maxConnections?: number;
}

/**
 * `KeystoreClient` over the keystore's internal HTTP API, through one undici
 * `Pool` (keep-alive, at most `maxConnections` sockets). `pool.request` costs
 * about a quarter less time per lookup than the global `fetch`, which goes
 * through WHATWG streams (sequential lookups against a local keystore: p50
 * 0.47-0.71 ms vs 0.64-1.00 ms). The service token only ever goes into the
 * Authorization header, never a log.
 *
 * A lookup waits the keystore's round-trip deadline (RFC 6298 over its
 * answers, between KEYSTORE_TIMEOUT_MS and KEYSTORE_TIMEOUT_MAX_MS; the cap
 * until the first answer, when nothing is known of this keystore yet), so a
 * uniformly slow machine does not fail every cold lookup closed while a
 * stalled keystore still does within the cap. The exchange itself runs on
 * to the cap: an answer that comes after its caller was told `timeout`
 * still teaches the deadline its round trip.
 */
export class HttpKeystoreClient implements KeystoreClient {
  readonly #pool: Pool;
  readonly #path: string;
  readonly #headers: Record<string, string>;
  readonly #deadline: RoundTripDeadline;

  constructor(options: HttpKeystoreClientOptions) {
    const base = new URL(keyLookupPath(''), options.keystoreUrl);
    this.#pool = new Pool(base.origin, {
      connections: options.maxConnections ?? 32,
      // Below Node's 5 s server keepAliveTimeout, so we drop an idle socket before the keystore does.
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 4_000,
    });
    this.#path = base.pathname;
    this.#headers = { authorization: `Bearer ${options.serviceToken}`, accept: 'application/json' };
    this.#deadline = new RoundTripDeadline({
      floorMs: options.timeoutMs,
      capMs: options.timeoutMaxMs ?? options.timeoutMs,
      initialMs: options.timeoutMaxMs ?? options.timeoutMs,
    });
  }

  /** How long a lookup made now waits for its answer, in ms. */
  get timeoutMs(): number {
    return this.#deadline.timeoutMs;
  }

  lookup(keyHash: string): Promise<LookupResult> {
    const started = performance.now();
    const exchange = this.#exchange(keyHash).then((result) => {
      if (result.kind !== 'error' || result.error === 'server_error' || result.error === 'rejected')
        this.#deadline.observe(performance.now() - started);
      return result;
    });
    return new Promise((resolve) => {
      // The timer hands over to the check phase: an answer already on the
      // socket when it fired (our event loop was busy, the keystore was not)
      // is read in the poll phase between the two, and wins.
      const timer = setTimeout(() => setImmediate(resolve, TIMEOUT), this.#deadline.timeoutMs);
      void exchange.then((result) => {
        clearTimeout(timer);
        resolve(result);
      });
    });
  }

  async #exchange(keyHash: string): Promise<LookupResult> {
    // One signal bounds the whole exchange, body included: a keystore that
    // sends headers and then stalls is as slow as one that never answers.
    const signal = AbortSignal.timeout(this.#deadline.capMs);
    try {
      const { statusCode, body } = await this.#pool.request({
        method: 'GET',
        path: this.#path + keyHash,
        headers: this.#headers,
        signal,
      });
      if (statusCode === 404) {
        await body.dump();
        return { kind: 'not-found' };
      }
      if (statusCode !== 200) {
        await body.dump();
        return { kind: 'error', error: statusCode >= 500 ? 'server_error' : 'rejected' };
      }
      let parsed: unknown;
      try {
        parsed = await body.json();
      } catch (error) {
        if (signal.aborted) throw error;
        return { kind: 'error', error: 'body' };
      }
      const record = parseLookupResponse(parsed);
      return record ? { kind: 'found', ...record } : { kind: 'error', error: 'body' };
    } catch {
      return { kind: 'error', error: signal.aborted ? 'timeout' : 'connection' };
    }
  }

  /** Closes the keystore connections (shutdown). */
  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
