import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface HttpFixture extends AsyncDisposable {
  url: string;
  server: Server;
  /** Requests received so far (method and target), in order. */
  requests: { method: string; url: string; headers: IncomingMessage['headers'] }[];
  /** Client sockets currently open to this server. */
  openSockets(): number;
  /** Requests received and neither answered nor closed by the client yet. */
  inFlight(): number;
}

/**
 * A throwaway HTTP server on a free loopback port, for what the real apps
 * cannot do on demand: a keystore answering garbage, an upstream that hangs.
 */
export async function startHttpFixture(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<HttpFixture> {
  const sockets = new Set<Socket>();
  const requests: HttpFixture['requests'] = [];
  let inFlight = 0;
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    inFlight++;
    res.once('close', () => inFlight--);
    handler(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('fixture has no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    server,
    requests,
    openSockets: () => sockets.size,
    inFlight: () => inFlight,
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
