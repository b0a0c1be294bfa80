import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Environment } from '@routemcp/api-key';
import { HttpForwarder, type BodyFraming, type ForwardResponse, type HttpForwarderOptions } from './http-forwarder.ts';
import { WebSocketTunnel, type TunnelOutcome } from './websocket-tunnel.ts';

export interface UpstreamOptions {
  upstreamUrl: string;
  /** Where test keys go; the main upstream when unset. */
  upstreamTestUrl?: string | undefined;
  /** Longest silence from the upstream (connect, response head, between body chunks) before a 504. */
  timeoutMs: number;
  maxBodyBytes: number;
  /** Upper bound on sockets per upstream. */
  connections?: number;
  onFailure: HttpForwarderOptions['onFailure'];
}

/** The protected service, live and sandbox: every request and every tunnel leaves through here. */
export class Upstream {
  readonly #http: Record<Environment, HttpForwarder>;
  readonly #ws: Record<Environment, WebSocketTunnel>;

  constructor(options: UpstreamOptions) {
    const live = new URL(options.upstreamUrl);
    const test = new URL(options.upstreamTestUrl ?? options.upstreamUrl);
    const http = (url: URL) =>
      new HttpForwarder({
        url,
        timeoutMs: options.timeoutMs,
        connections: options.connections ?? 256,
        maxBodyBytes: options.maxBodyBytes,
        onFailure: options.onFailure,
      });
    this.#http = { live: http(live), test: http(test) };
    const ws = (url: URL) => new WebSocketTunnel({ url, timeoutMs: options.timeoutMs });
    this.#ws = { live: ws(live), test: ws(test) };
  }

  forward(
    req: IncomingMessage,
    res: ForwardResponse,
    headers: string[],
    framing: BodyFraming,
    environment: Environment,
  ): void {
    this.#http[environment].forward(req, res, headers, framing);
  }

  tunnel(
    req: IncomingMessage,
    socket: Socket,
    head: Buffer,
    headers: string[],
    responseHeaders: string[],
    environment: Environment,
    outcome: TunnelOutcome,
  ): void {
    this.#ws[environment].open(req, socket, head, headers, responseHeaders, outcome);
  }

  /** Whether this client socket is a live tunnel (it must never get an HTTP answer written on it). */
  isTunnel(socket: Socket): boolean {
    return this.#ws.live.upgraded.has(socket) || this.#ws.test.upgraded.has(socket);
  }

  /** Ends every upstream connection and every open tunnel. */
  async close(): Promise<void> {
    this.#ws.live.close();
    this.#ws.test.close();
    await Promise.all([this.#http.live.close(), this.#http.test.close()]);
  }
}
