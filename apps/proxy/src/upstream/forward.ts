import { Agent, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createProxyServer, type ServerOptions } from 'http-proxy-3';
import type { Environment } from '@routemcp/api-key';
import type { ProxyResponse } from '../http/proxy-response.ts';
import { UpstreamDispatch, type UpstreamHead } from './upstream-dispatch.ts';
import { bodyTooLargeError } from '../pipeline/body-limit.ts';

export interface ForwarderOptions {
  upstreamUrl: string;
  /** Where test keys go; the main upstream when unset. */
  upstreamTestUrl?: string | undefined;
  /** Longest silence from the upstream (connect, response headers or body) before a 504. */
  upstreamTimeoutMs: number;
  /** The one place every proxy error ends up: upstream refused/reset/timed out, body too large, client gone. */
  onError: (err: NodeJS.ErrnoException, req: IncomingMessage, res: ServerResponse | Socket) => void;
  /** Response headers arrived from the upstream. */
  onUpstreamResponse: (upstream: UpstreamHead, req: IncomingMessage, res: ProxyResponse) => void;
  /** Upper bound on sockets per upstream, so a slow upstream cannot eat all file descriptors. */
  maxSockets?: number;
  /** Filled with client sockets that switched protocols; shared with the error handler. */
  upgraded?: Set<Socket>;
}

export interface Forwarder {
  web(req: IncomingMessage, res: ProxyResponse, environment: Environment): void;
  /** `extraHeaders` go on the 101 answer (request id, RateLimit-*). */
  ws(
    req: IncomingMessage,
    socket: Socket,
    head: Buffer,
    environment: Environment,
    extraHeaders: Record<string, string>,
  ): void;
  /** Upgraded sockets, so a shutdown can end them. */
  readonly upgraded: ReadonlySet<Socket>;
  close(): void;
}

type TargetOptions = ServerOptions & { target: URL };
type WsOptions = TargetOptions & { extraHeaders: Record<string, string> };

export const upstreamTimeoutError = (): NodeJS.ErrnoException =>
  Object.assign(new Error('upstream timed out'), { code: 'UPSTREAM_TIMEOUT' });

function onUpstreamTimeout(this: ClientRequest): void {
  this.destroy(upstreamTimeoutError());
}

/**
 * Forwarding through http-proxy-3 (maintained successor of http-proxy): it
 * destroys the upstream request when the client aborts (http-proxy #1586) and
 * never throws on an unhandled error as long as an `error` listener exists.
 * Our own headers are set by rewrite-headers, hence `xfwd: false`. The
 * response head is ours (respondToUpstream, `selfHandleResponse`): one
 * writeHead with a flat array instead of http-proxy-3's setHeader per header.
 */
export function createForwarder(options: ForwarderOptions): Forwarder {
  const agent = new Agent({
    keepAlive: true,
    maxSockets: options.maxSockets ?? 256,
    maxFreeSockets: 64,
    // Below Node's 5 s server keepAliveTimeout, so we drop an idle socket before the upstream does.
    timeout: 4_000,
    scheduling: 'lifo',
  });
  const proxy = createProxyServer({ agent, xfwd: false, ws: true, prependPath: true, selfHandleResponse: true });
  const live: TargetOptions = { target: new URL(options.upstreamUrl) };
  const test: TargetOptions = { target: new URL(options.upstreamTestUrl ?? options.upstreamUrl) };
  const upgraded = options.upgraded ?? new Set<Socket>();
  const timeoutMs = options.upstreamTimeoutMs;

  proxy.on('error', (err, req, res) => options.onError(err, req, res));
  // The client went away; http-proxy-3 has already destroyed the upstream request.
  proxy.on('econnreset', (err, req, res) => options.onError(err, req, res));
  proxy.on('proxyReq', (proxyReq, _req, res) => {
    const response = res as ProxyResponse;
    proxyReq.setTimeout(timeoutMs, onUpstreamTimeout);
    if (response.bodyTooLarge) proxyReq.destroy(bodyTooLargeError());
    else response.upstreamRequest = proxyReq;
  });
  proxy.on('proxyRes', (upstream, req, res) => {
    const response = res as ProxyResponse;
    options.onUpstreamResponse(upstream, req, response);
    // No cork needed: Node already sends the head with the first body chunk in one writev (1.0 writev per request under strace).
    if (!response.writableEnded) upstream.pipe(response);
  });
  proxy.on('proxyReqWs', (proxyReq, _req, socket, requestOptions) => {
    proxyReq.setTimeout(timeoutMs, onUpstreamTimeout);
    const { extraHeaders } = requestOptions as WsOptions;
    proxyReq.once('upgrade', (upstream: IncomingMessage) => {
      // Once switched, the socket belongs to the websocket: no more timeouts, no raw HTTP errors.
      proxyReq.setTimeout(0);
      upgraded.add(socket);
      socket.once('close', () => upgraded.delete(socket));
      Object.assign(upstream.headers, extraHeaders);
    });
  });

  const dispatchOptions = {
    timeoutMs,
    connections: options.maxSockets ?? 256,
    onError: options.onError,
    onUpstreamResponse: options.onUpstreamResponse,
  };
  const dispatch = {
    live: new UpstreamDispatch({ ...dispatchOptions, upstreamUrl: live.target }),
    test: new UpstreamDispatch({ ...dispatchOptions, upstreamUrl: test.target }),
  };

  return {
    web(req, res, environment) {
      res.forwardedAt = performance.now();
      if (UpstreamDispatch.handles(req)) dispatch[environment].forward(req, res);
      else proxy.web(req, res, environment === 'test' ? test : live);
    },
    ws(req, socket, head, environment, extraHeaders) {
      const wsOptions: WsOptions = { ...(environment === 'test' ? test : live), extraHeaders };
      proxy.ws(req, socket, head, wsOptions);
    },
    upgraded,
    close() {
      agent.destroy();
      dispatch.live.close();
      dispatch.test.close();
      for (const socket of upgraded) socket.destroy();
    },
  };
}
