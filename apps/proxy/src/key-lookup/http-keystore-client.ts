import { keyLookupPath } from '@routemcp/internal-api';
import { Pool } from 'undici';
import type { KeystoreClient, LookupResult } from './keystore-client.ts';
import { parseLookupResponse } from './lookup-response.ts';

export interface HttpKeystoreClientOptions {
  keystoreUrl: string;
  serviceToken: string;
  timeoutMs: number;
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
 */
export class HttpKeystoreClient implements KeystoreClient {
  readonly #pool: Pool;
  readonly #path: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;

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
    this.#timeoutMs = options.timeoutMs;
  }

  async lookup(keyHash: string): Promise<LookupResult> {
    // One signal bounds the whole exchange, body included: a keystore that
    // sends headers and then stalls is as slow as one that never answers.
    const signal = AbortSignal.timeout(this.#timeoutMs);
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
