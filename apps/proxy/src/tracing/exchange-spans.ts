import { context, defaultTextMapGetter, trace, type Span } from '@opentelemetry/api';
import { endServerSpan, rawHeadersGetter, startServerSpan, type Tracing } from '@routemcp/tracing';
import { loggablePath, type Exchange } from '../observability/index.ts';

/** The attributes this proxy adds to the HTTP semantic conventions' (docs/operating.md, "Tracing"). */
export const REFUSAL_CODE = 'routemcp.refusal.code';
export const KEY_ID = 'routemcp.key.id';
/** Which entrance the exchange came through: `proxy`, `websocket`, `authz` (HTTP forward auth) or `grpc` (ext_authz). */
export const ENTRANCE = 'routemcp.entrance';

type Entrance = 'proxy' | 'websocket' | 'authz' | 'grpc';

/** What a span needs of an HTTP entrance's request: its headers, as Node read them. */
interface TracedRequest {
  readonly method?: string | undefined;
  readonly rawHeaders: readonly string[];
}

/**
 * The proxy's SERVER spans: one per exchange, started where it arrives (the
 * caller's `traceparent` continued) with the work that follows run in its
 * context, so the keystore lookup and the Redis call become its children
 * and the upstream gets it as the parent (TracedUpstream). It ends where
 * the Recorder records the exchange (TracingRecorder), with what the
 * access log has: status, refusal code, key id, the path without its query.
 *
 * Built only when tracing is on: with it off, no entrance is wrapped and
 * nothing here runs.
 */
export class ExchangeSpans {
  readonly #tracing: Tracing;
  /** HTTP entrances: the response is the exchange, known when the span starts. */
  readonly #byExchange = new WeakMap<object, Span>();
  /**
   * Every recording span started here and not ended yet (an upgrade's or a
   * Check's is found in the active context). An unsampled span is neither
   * kept nor ended: its end() does nothing, and most spans are unsampled.
   */
  readonly #open = new WeakSet<Span>();

  constructor(tracing: Tracing) {
    this.#tracing = tracing;
  }

  /** An HTTP entrance's `request` listener, traced: `res` is the exchange the recorder gets. */
  http<Req extends TracedRequest, Res extends object>(
    entrance: Entrance,
    handle: (req: Req, res: Res) => void,
  ): (req: Req, res: Res) => void {
    return (req, res) => {
      const active = this.#start(entrance, req.method ?? 'HTTP', req.rawHeaders, rawHeadersGetter, () =>
        hostOf(req.rawHeaders),
      );
      if (active.span.isRecording()) this.#byExchange.set(res, active.span);
      context.with(active.context, handle, undefined, req, res);
    };
  }

  /** The `upgrade` listener, traced. */
  upgrade<Req extends TracedRequest, A extends unknown[]>(
    handle: (req: Req, ...rest: A) => void,
  ): (req: Req, ...rest: A) => void {
    return (req, ...rest) => {
      const active = this.#start('websocket', req.method ?? 'GET', req.rawHeaders, rawHeadersGetter, () =>
        hostOf(req.rawHeaders),
      );
      context.with(active.context, handle, undefined, req, ...rest);
    };
  }

  /** A gRPC handler, traced; `carrier` is the trace headers it arrived with, `host` the original request's. */
  grpc<A extends [unknown, ...unknown[]]>(
    name: string,
    carrierOf: (call: A[0]) => { carrier: Record<string, string>; host: string | undefined },
    handle: (...args: A) => void,
  ): (...args: A) => void {
    return (...args) => {
      const { carrier, host } = carrierOf(args[0]);
      const active = this.#start('grpc', name, carrier, defaultTextMapGetter, () => host);
      context.with(active.context, handle, undefined, ...args);
    };
  }

  /** Ends the exchange's span with what it came to; called once per exchange, by the recorder. */
  end(exchange: Exchange): void {
    let span = this.#byExchange.get(exchange);
    if (span !== undefined) this.#byExchange.delete(exchange);
    else {
      span = trace.getSpan(context.active());
      if (span === undefined || !this.#open.has(span)) return;
    }
    this.#open.delete(span);
    if (exchange.method !== undefined) span.setAttribute('http.request.method', exchange.method);
    span.setAttribute('url.path', loggablePath(exchange.target));
    if (exchange.statusCode > 0) span.setAttribute('http.response.status_code', exchange.statusCode);
    if (exchange.outcome !== 'ok') span.setAttribute(REFUSAL_CODE, exchange.outcome);
    if (exchange.keyId !== null) span.setAttribute(KEY_ID, exchange.keyId);
    endServerSpan(span, exchange.statusCode);
  }

  #start<C>(
    entrance: Entrance,
    name: string,
    carrier: C,
    getter: typeof defaultTextMapGetter,
    host: () => string | undefined,
  ) {
    const active = startServerSpan(this.#tracing, name, carrier, getter);
    // Unsampled (most spans at a low ratio): no attributes to work out, nothing to remember.
    if (active.span.isRecording()) {
      active.span.setAttribute(ENTRANCE, entrance);
      const address = host();
      if (address !== undefined) active.span.setAttribute('server.address', address);
      this.#open.add(active.span);
    }
    return active;
  }
}

/** The Host header's name part (no port), as `server.address` wants it. */
function hostOf(rawHeaders: readonly string[]): string | undefined {
  const host = rawHeadersGetter.get(rawHeaders, 'host');
  if (typeof host !== 'string' || host === '') return undefined;
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}
