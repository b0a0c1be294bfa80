import { EVENTS_PATH, KEY_EVENT_TYPES, KEY_HASH } from '@routemcp/internal-api';
import type { Logger } from 'pino';
import { SseParser, type SseEvent } from './sse-parser.ts';

/** Lenient on purpose: an event of a type this proxy does not know still evicts its key (see #applyKeyEvent). */
const KNOWN_TYPES: ReadonlySet<string> = new Set(KEY_EVENT_TYPES);

export interface KeyEventHandlers {
  /** A key changed: forget what we know about it. `type` is the keystore's event type (or `unknown`). */
  evict(keyHash: string, type: string): void;
  /** What we hold can no longer be trusted to be current: forget everything. */
  flush(reason: 'hello' | 'reset' | 'malformed'): void;
  /** Connected (headers of a 200 stream received) or lost. */
  connection(connected: boolean): void;
  /** Counted per received event: `hello`, `reset`, or a key event's type. */
  received(type: string): void;
}

export interface KeyEventStreamOptions {
  /** The keystore replicas, tried in turn: the first at start, the next each time a connection ends. */
  keystoreUrls: readonly string[];
  serviceToken: string;
  handlers: KeyEventHandlers;
  logger: Logger;
  /** The keystore pings every 5 s; this much silence means the stream is dead. */
  silenceMs?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** `start()` resolves at the first `hello` or after this long, whichever is first. */
  startTimeoutMs?: number;
}

/**
 * Follows the keystore's change-event stream (`GET /internal/v1/events`).
 *
 * Recovery rule: the stream is a tail of a durable log, so on reconnect we
 * send the id of the last event we applied as `Last-Event-ID` and the
 * keystore replays everything after it; when it cannot (new database, or
 * our id is older than what it keeps) it sends `reset` and we flush the
 * whole cache. A first connection has no id and flushes on `hello`. Either
 * way a proxy that missed a revoke while disconnected never keeps serving
 * the key after it reconnects; while it is disconnected, the positive cache
 * TTL bounds how stale an answer can be.
 *
 * Replicas: when a connection fails or ends, the next one goes to the next
 * keystore URL with the same `Last-Event-ID`. Event ids belong to the
 * database, not to a replica, so any replica on it replays from there
 * without a reset: a replica that dies costs a reconnect and a replay,
 * never a flush.
 */
export class KeyEventStream {
  readonly #urls: readonly string[];
  /** Index of the replica the current (or next) connection goes to. */
  #replica = 0;
  readonly #headers: Record<string, string>;
  readonly #handlers: KeyEventHandlers;
  readonly #logger: Logger;
  readonly #silenceMs: number;
  readonly #backoffMinMs: number;
  readonly #backoffMaxMs: number;
  readonly #startTimeoutMs: number;
  #lastEventId: string | undefined;
  /** The id sent on the current connection; `hello` flushes only when there was none. */
  #resumedFrom: string | undefined;
  #helloId: string | undefined;
  #closed = false;
  #abort: AbortController | undefined;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #onHello: (() => void) | undefined;

  constructor(options: KeyEventStreamOptions) {
    if (options.keystoreUrls.length === 0) throw new Error('at least one keystore URL is needed');
    this.#urls = options.keystoreUrls.map((url) => new URL(EVENTS_PATH, url).href);
    this.#headers = { authorization: `Bearer ${options.serviceToken}`, accept: 'text/event-stream' };
    this.#handlers = options.handlers;
    this.#logger = options.logger;
    this.#silenceMs = options.silenceMs ?? 15_000;
    this.#backoffMinMs = options.backoffMinMs ?? 100;
    this.#backoffMaxMs = options.backoffMaxMs ?? 5_000;
    this.#startTimeoutMs = options.startTimeoutMs ?? 2_000;
  }

  /** The id of the last event applied; sent as `Last-Event-ID` on reconnect. */
  get lastEventId(): string | undefined {
    return this.#lastEventId;
  }

  start(): Promise<void> {
    if (this.#loop) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#onHello = resolve;
    const timer = setTimeout(resolve, this.#startTimeoutMs);
    void promise.then(() => clearTimeout(timer));
    this.#loop = this.#run();
    return promise;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#abort?.abort();
    this.#wake?.();
    this.#onHello?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    for (let attempt = 0; !this.#closed; attempt++) {
      if (await this.#connectOnce()) attempt = 0;
      if (this.#closed) return;
      const delay = Math.min(this.#backoffMaxMs, this.#backoffMinMs * 2 ** Math.min(attempt, 16));
      await this.#sleep(delay * (0.5 + Math.random() / 2));
    }
  }

  /** One connection, until it ends. Resolves true when it got as far as a 200 stream. */
  async #connectOnce(): Promise<boolean> {
    const replica = this.#replica;
    // Whatever ends this connection, the next one tries the next replica (the same one when there is one).
    this.#replica = (replica + 1) % this.#urls.length;
    const abort = new AbortController();
    this.#abort = abort;
    // Bounds connecting as well as silence: re-armed by every chunk (pings included).
    const silence = setTimeout(() => abort.abort(new Error('event stream silent')), this.#silenceMs);
    let connected = false;
    try {
      const headers = { ...this.#headers };
      this.#resumedFrom = this.#lastEventId;
      if (this.#resumedFrom !== undefined) headers['last-event-id'] = this.#resumedFrom;
      const response = await fetch(this.#urls[replica]!, { headers, signal: abort.signal });
      if (response.status !== 200 || !response.body) {
        await response.body?.cancel();
        this.#logger.warn({ replica, status: response.status }, 'key event stream refused');
        return false;
      }
      connected = true;
      this.#logger.info({ replica, resumedFrom: this.#resumedFrom ?? null }, 'key event stream connected');
      this.#handlers.connection(true);
      const parser = new SseParser((event) => this.#apply(event));
      const decoder = new TextDecoder();
      for await (const chunk of response.body) {
        silence.refresh();
        parser.push(decoder.decode(chunk, { stream: true }));
      }
      if (!this.#closed) this.#logger.warn({ replica }, 'key event stream ended by the keystore');
    } catch (error) {
      if (!this.#closed) this.#logger.warn({ replica, err: describe(error, abort.signal) }, 'key event stream failed');
    } finally {
      clearTimeout(silence);
      this.#handlers.connection(false);
    }
    return connected;
  }

  #apply(event: SseEvent): void {
    switch (event.event) {
      case 'hello':
        this.#handlers.received('hello');
        this.#helloId = event.id;
        if (this.#resumedFrom === undefined) {
          this.#handlers.flush('hello');
          if (event.id !== undefined) this.#lastEventId = event.id;
        }
        this.#onHello?.();
        return;
      case 'reset':
        this.#handlers.received('reset');
        this.#handlers.flush('reset');
        this.#lastEventId = event.id ?? this.#helloId;
        return;
      case 'key':
        this.#applyKeyEvent(event);
        return;
      default:
        this.#logger.debug({ event: event.event }, 'ignored unknown key event');
    }
  }

  #applyKeyEvent(event: SseEvent): void {
    let parsed: { type?: unknown; keyHash?: unknown } | null = null;
    try {
      parsed = JSON.parse(event.data) as { type?: unknown; keyHash?: unknown } | null;
    } catch {
      parsed = null;
    }
    const keyHash = parsed?.keyHash;
    if (typeof keyHash !== 'string' || !KEY_HASH.test(keyHash)) {
      // We cannot tell which key changed, so nothing cached can be trusted.
      this.#logger.warn({ id: event.id }, 'malformed key event: flushing the key cache');
      this.#handlers.received('malformed');
      this.#handlers.flush('malformed');
    } else {
      const type = typeof parsed?.type === 'string' && KNOWN_TYPES.has(parsed.type) ? parsed.type : 'unknown';
      this.#handlers.received(type);
      this.#handlers.evict(keyHash, type);
    }
    if (event.id !== undefined) this.#lastEventId = event.id;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}

function describe(error: unknown, signal: AbortSignal): string {
  if (signal.aborted && signal.reason instanceof Error) return signal.reason.message;
  return error instanceof Error ? error.message : String(error);
}
