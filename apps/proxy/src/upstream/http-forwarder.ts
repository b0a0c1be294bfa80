import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import { responseHead } from './response-head.ts';
import { bodyTooLarge, clientClosed, toUpstreamError, type UpstreamError } from './upstream-error.ts';

/** What forwarding needs of the client's response, beside what `ServerResponse` has. */
export interface ForwardResponse extends ServerResponse {
  /** Our own response headers (request id, RateLimit-*), in `writeHead`'s flat form. */
  ownHeaders: string[];
  /** `ownHeaders` carry RateLimit-*: the upstream's copies are dropped. */
  ownRateLimit: boolean;
  /** False while draining: the answer then closes the client connection. */
  keepAlive: boolean;
  /** performance.now() when the upstream's response head arrived (0 until then). */
  upstreamRespondedAt: number;
  /** The exchange in flight upstream, so the edge can cancel it when the client leaves. */
  upstream: { cancel(): void } | null;
}

/** How the request's body reaches the upstream. */
export type BodyFraming = 'none' | 'sized' | 'chunked';

export interface HttpForwarderOptions {
  url: URL;
  /** Longest silence from the upstream (connect, response head, between body chunks). */
  timeoutMs: number;
  /** Upper bound on sockets to the upstream, so a slow upstream cannot eat all file descriptors. */
  connections: number;
  /** A chunked body past this is cut and answered 413 (a declared length is checked before forwarding). */
  maxBodyBytes: number;
  /** The one way failures leave this adapter. */
  onFailure(res: ForwardResponse, error: UpstreamError): void;
}

/**
 * Every proxied HTTP request, whatever its method, through one undici `Pool`
 * per upstream: raw header arrays in (`headers` is passed as built), the
 * response head written with one `writeHead(status, flatList)` and the body
 * streamed with backpressure. Request bodies stream through undici too, as
 * an async iterable over the client's request, so the limit is counted here
 * and a failure upstream never destroys the client's socket before it is
 * answered.
 */
export class HttpForwarder {
  readonly #pool: Pool;
  readonly #prefix: string;
  readonly #options: HttpForwarderOptions;

  constructor(options: HttpForwarderOptions) {
    this.#options = options;
    const { url, timeoutMs } = options;
    this.#pool = new Pool(url.origin, {
      connections: options.connections,
      // Below Node's 5 s server keepAliveTimeout, so we drop an idle socket before the upstream does.
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 4_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connectTimeout: timeoutMs,
    });
    const path = url.pathname;
    this.#prefix = path.endsWith('/') ? path.slice(0, -1) : path;
  }

  forward(req: IncomingMessage, res: ForwardResponse, headers: string[], framing: BodyFraming): void {
    const exchange = new Exchange(res, this.#options.onFailure);
    res.upstream = exchange;
    this.#pool.dispatch(
      {
        method: req.method as Dispatcher.HttpMethod,
        // The canonical target the pipeline checked (rewritten in place), sent as is.
        path: this.#prefix + (req.url ?? '/'),
        headers,
        // undici takes async iterables as bodies; its DispatchOptions typing lists only streams and buffers.
        body:
          framing === 'none'
            ? null
            : (streamedBody(req, framing === 'chunked' ? this.#options.maxBodyBytes : -1) as unknown as Readable),
      },
      exchange,
    );
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}

/**
 * The client's body as undici reads it. The stream is iterated without
 * being destroyed on an early stop: if the upstream fails mid-upload, the
 * client still gets its 502 on a live socket. `maxBytes` < 0: not counted
 * (the parser already holds a declared length to its word).
 */
async function* streamedBody(req: IncomingMessage, maxBytes: number): AsyncGenerator<Buffer> {
  let received = 0;
  for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (maxBytes >= 0 && received > maxBytes) throw bodyTooLarge();
    yield chunk;
  }
}

/** One request in flight: undici's handler, writing straight into the client's response. A class: one object per request. */
class Exchange implements Dispatcher.DispatchHandler {
  readonly #res: ForwardResponse;
  readonly #onFailure: HttpForwarderOptions['onFailure'];
  #controller: Dispatcher.DispatchController | null = null;
  #resume: (() => void) | null = null;

  constructor(res: ForwardResponse, onFailure: HttpForwarderOptions['onFailure']) {
    this.#res = res;
    this.#onFailure = onFailure;
  }

  /** The client left before the answer was complete: stop the upstream request too. */
  cancel(): void {
    if (!this.#res.writableFinished) this.#controller?.abort(clientClosed());
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#res.destroyed) controller.abort(clientClosed());
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    // 1xx (e.g. 103 Early Hints) are not passed on: the final head follows.
    if (statusCode < 200) return;
    const res = this.#res;
    res.upstreamRespondedAt = performance.now();
    // Someone answered already (an error raced the upstream): the head is gone, only the body may follow.
    if (res.headersSent) return;
    const head = responseHead(headers, res.ownHeaders, res.ownRateLimit, res.keepAlive && res.shouldKeepAlive);
    res.writeHead(statusCode, statusMessage || undefined, head);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const res = this.#res;
    if (res.writableEnded) return;
    if (!res.write(chunk)) {
      controller.pause();
      this.#resume ??= () => controller.resume();
      res.once('drain', this.#resume);
    }
  }

  onResponseEnd(): void {
    this.#res.upstream = null;
    if (!this.#res.writableEnded) this.#res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    const res = this.#res;
    res.upstream = null;
    this.#onFailure(res, res.destroyed ? clientClosed() : toUpstreamError(error));
  }
}
