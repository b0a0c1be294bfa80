import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the echo upstream saw of one request. */
export interface Echo {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface EchoUpstream extends AsyncDisposable {
  url: string;
  /** Every request it answered, in order. */
  seen: Echo[];
}

/** Bytes in the body of `GET /big`: more than a socket buffer, so forwarding must honour backpressure. */
export const BIG_BODY_BYTES = 4 * 1024 * 1024;

/**
 * A tiny upstream for baseline tests: answers 201 to POST and 200 otherwise,
 * with its own headers (two Set-Cookie among them) and the request echoed
 * back as JSON; `GET /big` answers BIG_BODY_BYTES of 'x'.
 */
export async function startEchoUpstream(): Promise<EchoUpstream> {
  const seen: Echo[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const echo = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(echo);
      if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BIG_BODY_BYTES });
        res.end(Buffer.alloc(BIG_BODY_BYTES, 'x'));
        return;
      }
      const body = JSON.stringify(echo);
      res.writeHead(req.method === 'POST' ? 201 : 200, [
        'Content-Type',
        'application/json',
        'X-Upstream',
        'echo',
        'Set-Cookie',
        'a=1',
        'Set-Cookie',
        'b=2',
        'Content-Length',
        String(Buffer.byteLength(body)),
      ]);
      res.end(body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Listens on a free loopback port; the base URL. */
export async function listenLocal(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
