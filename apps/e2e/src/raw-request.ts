import { request, type ClientRequest, type IncomingHttpHeaders } from 'node:http';

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A request whose target goes on the wire exactly as written (fetch would
 * resolve `..` and re-encode it first). `onRequest` gets the request, so a
 * test can abort it.
 */
export function rawRequest(
  baseUrl: string,
  target: string,
  headers: Record<string, string> = {},
  onRequest?: (req: ClientRequest) => void,
): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port: Number(port), path: target, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    onRequest?.(req);
    req.end();
  });
}
