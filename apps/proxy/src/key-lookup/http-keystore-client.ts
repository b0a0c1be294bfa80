import type { KeystoreClient, LookupResult } from './keystore-client.ts';
import { parseLookupResponse } from './lookup-response.ts';

export interface HttpKeystoreClientOptions {
  keystoreUrl: string;
  serviceToken: string;
  timeoutMs: number;
}

/**
 * `KeystoreClient` over the keystore's internal HTTP API. Uses the global
 * `fetch` (undici), whose default dispatcher keeps connections alive. The
 * service token only ever goes into the Authorization header, never a log.
 */
export class HttpKeystoreClient implements KeystoreClient {
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;

  constructor(options: HttpKeystoreClientOptions) {
    this.#base = new URL('/internal/v1/keys/', options.keystoreUrl).href;
    this.#headers = { authorization: `Bearer ${options.serviceToken}`, accept: 'application/json' };
    this.#timeoutMs = options.timeoutMs;
  }

  async lookup(keyHash: string): Promise<LookupResult> {
    // One signal bounds the whole exchange, body included: a keystore that
    // sends headers and then stalls is as slow as one that never answers.
    const signal = AbortSignal.timeout(this.#timeoutMs);
    try {
      const response = await fetch(this.#base + keyHash, { headers: this.#headers, signal });
      if (response.status === 404) {
        await response.body?.cancel();
        return { kind: 'not-found' };
      }
      if (response.status !== 200) {
        await response.body?.cancel();
        return { kind: 'error', error: 'status' };
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch (error) {
        if (signal.aborted) throw error;
        return { kind: 'error', error: 'body' };
      }
      const parsed = parseLookupResponse(body);
      return parsed ? { kind: 'found', ...parsed } : { kind: 'error', error: 'body' };
    } catch {
      return { kind: 'error', error: signal.aborted ? 'timeout' : 'connection' };
    }
  }
}
