import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface WebSocketEcho extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`: an UPSTREAM_URL. */
  url: string;
  /** The handshake headers of every connection accepted, in order. */
  upgrades: IncomingHttpHeaders[];
  /** Connections open now. */
  openConnections(): number;
  close(): Promise<void>;
}

/**
 * A WebSocket upstream on 127.0.0.1, port 0, that echoes every message (ws
 * does the framing: a raw byte echo would send the client's masked frames
 * back, which a real client rejects).
 */
export async function startWebSocketEcho(): Promise<WebSocketEcho> {
  const upgrades: IncomingHttpHeaders[] = [];
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (socket, req) => {
    upgrades.push(req.headers);
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const close = async (): Promise<void> => {
    for (const client of server.clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `http://127.0.0.1:${port}`,
    upgrades,
    openConnections: () => server.clients.size,
    close,
    [Symbol.asyncDispose]: close,
  };
}
