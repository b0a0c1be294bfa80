import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Pool, type Dispatcher } from 'undici';

/** Hop-by-hop (RFC 9110 §7.6.1), framing each side sets itself, and `expect`, which Node answers and undici refuses. */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
const HOP_OR_EXPECT = new Set([...HOP, 'expect']);

/** The upstream's raw head (bytes, latin1 like undici's own parser) minus hop-by-hop, flat for writeHead. */
function responseHeaders(raw: readonly Buffer[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString('latin1');
    if (!HOP.has(name.toLowerCase())) out.push(name, (raw[i + 1] as Buffer).toString('latin1'));
  }
  return out;
}

/** One upstream exchange streamed into `res`, with backpressure both ways; one object per request. */
class Forward implements Dispatcher.DispatchHandler {
  readonly res: ServerResponse;
  #controller: Dispatcher.DispatchController | null = null;
  constructor(res: ServerResponse) {
    this.res = res;
  }
  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    this.res.once('close', this.#onClose);
  }
  onResponseStart(controller: Dispatcher.DispatchController, status: number): void {
    this.res.writeHead(status, responseHeaders(controller.rawHeaders as Buffer[]));
  }
  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.res.write(chunk)) return;
    controller.pause();
    this.res.once('drain', this.#resume);
  }
  onResponseEnd(): void {
    this.res.end();
  }
  onResponseError(_controller: Dispatcher.DispatchController, _error: Error): void {
    if (this.res.headersSent) this.res.destroy();
    else this.res.writeHead(502, { 'content-length': 0 }).end();
  }
  readonly #resume = () => this.#controller?.resume();
  readonly #onClose = () => void (this.res.writableFinished || this.#controller?.abort(new Error('client closed')));
}

export interface NodeFloorOptions {
  upstreamUrl: string;
  /** Awaited before each forward (floor + one EVALSHA); false answers 429. */
  admit?: () => Promise<boolean>;
}

/**
 * The floor (issue 12): the least a Node proxy must do for the hop the proxy
 * makes — `node:http` in, one undici Pool out, raw header arrays both ways,
 * keep-alive, no auth, no logs, no metrics. What the proxy costs above it is
 * our code. Never used by the product.
 */
export function createNodeFloor(options: NodeFloorOptions): { server: Server; close: () => Promise<void> } {
  const upstream = new URL(options.upstreamUrl);
  const prefix = upstream.pathname.replace(/\/$/, '');
  // The proxy's pool settings: at most 256 sockets, idle ones dropped before Node's 5 s server timeout.
  const pool = new Pool(upstream.origin, { connections: 256, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 4_000 });
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    // One pass over rawHeaders: `req.headers` would build a dictionary per request that nothing else needs.
    const raw = req.rawHeaders;
    const headers: string[] = [];
    let hasBody = false;
    for (let i = 0; i < raw.length; i += 2) {
      const name = (raw[i] as string).toLowerCase();
      if (name === 'content-length' || name === 'transfer-encoding') hasBody = true;
      if (!HOP_OR_EXPECT.has(name)) headers.push(raw[i] as string, raw[i + 1] as string);
    }
    pool.dispatch(
      { method: req.method as Dispatcher.HttpMethod, path: prefix + req.url, headers, body: hasBody ? req : null },
      new Forward(res),
    );
  };
  const { admit } = options;
  const server = createServer((req, res) => {
    if (admit === undefined) return forward(req, res);
    admit().then(
      (ok) => (ok ? forward(req, res) : res.writeHead(429, { 'content-length': 0 }).end()),
      () => res.writeHead(503, { 'content-length': 0 }).end(),
    );
  });
  return { server, close: async () => (server.closeAllConnections(), await pool.close()) };
}
