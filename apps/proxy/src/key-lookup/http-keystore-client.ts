import { SpanStatusCode } from '@opentelemetry/api';
import { keyLookupPath } from '@routemcp/internal-api';
import { startClientSpan, traceHeaders, type ActiveSpan, type Tracing } from '@routemcp/tracing';
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
  /** When on: each lookup made for a request is a CLIENT span, and the keystore continues its trace. */
  tracing?: Tracing | undefined;
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
  readonly #tracing: Tracing | undefined;
  readonly #host: string;
  readonly #port: number;

  constructor(options: HttpKeystoreClientOptions) {
    const base = new URL(keyLookupPath(''), options.keystoreUrl);
    this.#pool = new Pool(base.origin, {
      connections: options.maxConnections ?? 32,
      // Below Node's 5 s server keepAliveTimeout, so we drop an idle socket before the keystore does.
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 4_000,
    });
    this.#path = base.pathname;
    this.#tracing = options.tracing;
    this.#host = base.hostname;
    this.#port = Number(base.port || (base.protocol === 'https:' ? 443 : 80));
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
    // A miss only (a cached key never gets here): the span and its headers cost nothing on a hit.
    const traced = this.#tracing === undefined ? undefined : this.#startSpan(this.#tracing);
    const exchange = this.#exchange(keyHash, traced?.headers ?? this.#headers).then((result) => {
      if (result.kind !== 'error' || result.error === 'server_error' || result.error === 'rejected')
        this.#deadline.observe(performance.now() - started);
      return result;
    });
    return new Promise((resolve) => {
      let answered = false;
      const answer = (result: LookupResult): void => {
        if (answered) return;
        answered = true;
        if (traced !== undefined) endLookupSpan(traced.active, result);
        resolve(result);
      };
      // The timer hands over to the check phase: an answer already on the
      // socket when it fired (our event loop was busy, the keystore was not)
      // is read in the poll phase between the two, and wins.
      const timer = setTimeout(() => setImmediate(answer, TIMEOUT), this.#deadline.timeoutMs);
      void exchange.then((result) => {
        clearTimeout(timer);
        answer(result);
      });
    });
  }

  /** The lookup's CLIENT span (when made for a request) and the headers that carry it to the keystore. */
  #startSpan(tracing: Tracing): { active: ActiveSpan; headers: Record<string, string> } | undefined {
    const active = startClientSpan(tracing, 'keystore lookup', {
      'http.request.method': 'GET',
      'server.address': this.#host,
      'server.port': this.#port,
    });
    if (active === undefined) return undefined;
    return { active, headers: { ...this.#headers, ...traceHeaders(tracing, active.context) } };
  }

  async #exchange(keyHash: string, headers: Record<string, string>): Promise<LookupResult> {
    // One signal bounds the whole exchange, body included: a keystore that
    // sends headers and then stalls is as slow as one that never answers.
    const signal = AbortSignal.timeout(this.#deadline.capMs);
    try {
      const { statusCode, body } = await this.#pool.request({
        method: 'GET',
        path: this.#path + keyHash,
        headers,
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

/** What the lookup came to, on its span: found, not-found, or the error (never the hash it asked about). */
function endLookupSpan(traced: ActiveSpan, result: LookupResult): void {
  traced.span.setAttribute('routemcp.lookup.result', result.kind === 'error' ? result.error : result.kind);
  if (result.kind === 'error') traced.span.setStatus({ code: SpanStatusCode.ERROR });
  traced.span.end();
}
