import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';

export interface SimpleResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One request over a fresh connection, with headers sent exactly as given
 * (an array value becomes repeated header lines, which fetch would merge).
 * `path` is sent verbatim: a URL would resolve `%2e%2e` and `..` client-side.
 */
export function sendRequest(
  url: string,
  options: { method?: string; path?: string; headers?: OutgoingHttpHeaders; body?: string | Buffer } = {},
): Promise<SimpleResponse> {
  const { hostname, port, pathname, search } = new URL(url);
  const path = options.path ?? `${pathname}${search}`;
  return new Promise((resolve, reject) => {
    const init = { hostname, port, path, method: options.method ?? 'GET', headers: options.headers, agent: false };
    const req = httpRequest(init, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
