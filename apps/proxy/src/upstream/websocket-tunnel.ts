import { Agent, type ClientRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { createProxyServer, type ServerOptions } from 'http-proxy-3';
import { fromHeaderList } from './header-object.ts';
import { clientClosed, toUpstreamError, UpstreamError } from './upstream-error.ts';

export interface TunnelOptions {
  url: URL;
  /** Longest wait for the upstream's answer to the handshake; none once switched. */
  timeoutMs: number;
}

/** How a tunnel's handshake ended: exactly one of these is called, once. */
export interface TunnelOutcome {
  /**
   * The upstream switched protocols; the client's 101 (with our headers) is
   * written right after. `upstream` is the tunnel's upstream socket, so
   * whoever watches the tunnel can end both sides.
   */
  opened(upstream: Socket): void;
  /** The upstream answered with a plain HTTP response, relayed to the client as is. */
  answered(status: number): void;
  /** No tunnel: the client socket is still ours to answer, unless the failure is client-closed. */
  failed(error: UpstreamError): void;
}

type TunnelRequestOptions = ServerOptions & { target: URL; responseHeaders: string[]; outcome: TunnelOutcome };

function onHandshakeTimeout(this: ClientRequest): void {
  this.destroy(new UpstreamError('timeout', 'UPSTREAM_TIMEOUT'));
}

/**
 * WebSocket tunnels through http-proxy-3 — the http-proxy API the design
 * card names, kept for what it is good at: the 101 handshake, relaying a
 * non-101 answer, piping both ways and its socket clean-up. Plain requests go
 * through undici (HttpForwarder), measured cheaper. Our headers go on the
 * 101 the client receives. Once switched, the socket belongs to the
 * WebSocket: no timeout, no HTTP error written on it.
 */
export class WebSocketTunnel {
  readonly #agent: Agent;
  readonly #proxy: ReturnType<typeof createProxyServer>;
  readonly #target: URL;
  /** Client sockets that switched protocols, so a shutdown can end them. */
  readonly upgraded = new Set<Socket>();

  constructor(options: TunnelOptions) {
    this.#target = options.url;
    this.#agent = new Agent({ keepAlive: false, maxSockets: 256 });
    // toProxy: the target is sent as the pipeline made it (canonical, checked); otherwise http-proxy-3 re-reads it
    // through WHATWG URL, which percent-encodes some path and query bytes the upstream would then see differently.
    this.#proxy = createProxyServer({ agent: this.#agent, xfwd: false, ws: true, prependPath: true, toProxy: true });
    const upgraded = this.upgraded;
    const timeoutMs = options.timeoutMs;
    // http-proxy-3 re-emits the client socket's own errors here; the edge already destroys the socket on them.
    // Without a listener an EventEmitter 'error' would throw.
    this.#proxy.on('error', () => undefined);
    this.#proxy.on('proxyReqWs', (proxyReq, _req, socket, requestOptions) => {
      const { responseHeaders, outcome } = requestOptions as TunnelRequestOptions;
      proxyReq.setTimeout(timeoutMs, onHandshakeTimeout);
      proxyReq.once('upgrade', (upstream: IncomingMessage, upstreamSocket: Socket) => {
        proxyReq.setTimeout(0);
        upgraded.add(socket);
        socket.once('close', () => upgraded.delete(socket));
        Object.assign(upstream.headers, fromHeaderList(responseHeaders));
        outcome.opened(upstreamSocket);
      });
      proxyReq.once('response', (upstream: IncomingMessage) => {
        proxyReq.setTimeout(0);
        outcome.answered(upstream.statusCode ?? 502);
      });
    });
  }

  /**
   * Opens a tunnel for an upgrade the pipeline authorized. `headers` is the
   * upstream request's header list, handshake included; `responseHeaders`
   * go on the client's 101.
   */
  open(
    req: IncomingMessage,
    socket: Socket,
    head: Buffer,
    headers: string[],
    responseHeaders: string[],
    outcome: TunnelOutcome,
  ): void {
    req.headers = fromHeaderList(headers);
    const once = settleOnce(outcome);
    const options: TunnelRequestOptions = { target: this.#target, responseHeaders, outcome: once };
    // http-proxy-3 calls this for every error of the exchange, also after the switch (ignored then: settled).
    this.#proxy.ws(req, socket, head, options, (error: unknown) => {
      once.failed(socket.destroyed ? clientClosed() : toUpstreamError(error));
    });
  }

  close(): void {
    this.#agent.destroy();
    for (const socket of this.upgraded) socket.destroy();
  }
}

function settleOnce(outcome: TunnelOutcome): TunnelOutcome {
  let settled = false;
  const first = (): boolean => {
    if (settled) return false;
    settled = true;
    return true;
  };
  return {
    opened: (upstream) => first() && outcome.opened(upstream),
    answered: (status) => first() && outcome.answered(status),
    failed: (error) => first() && outcome.failed(error),
  };
}
