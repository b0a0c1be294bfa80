import { request as httpRequest } from 'node:http';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Each chunk is written after `chunkDelayMs`, to keep a request in flight. */
  bodyChunks?: string[];
  chunkDelayMs?: number;
  timeoutMs?: number;
}

/**
 * One request on a fresh connection (no keep-alive pool), so a refused
 * connection and a dropped accepted request stay distinguishable.
 */
export function request(url: string, options: RequestOptions = {}): Promise<HttpResponse> {
  const { method = 'GET', headers = {}, bodyChunks, chunkDelayMs = 0, timeoutMs = 10_000 } = options;
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    if (!bodyChunks) return void req.end();
    void (async () => {
      for (const chunk of bodyChunks) {
        await new Promise((r) => setTimeout(r, chunkDelayMs));
        if (req.destroyed) return;
        req.write(chunk);
      }
      req.end();
    })();
  });
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}
