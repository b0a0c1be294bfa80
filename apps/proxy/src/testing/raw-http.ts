import { connect } from 'node:net';

export interface RawExchange {
  /** Every byte the proxy wrote, as latin1 text (one char per byte). */
  text: string;
  /** The proxy closed the connection (false: still open when the safety bound ended the wait). */
  closed: boolean;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes raw bytes on a fresh connection and collects the answer until the
 * proxy closes it. `parts` are written one after another on separate turns of
 * the event loop, so the server sees them as separate reads. `waitMs` is only
 * a bound on the test, never an assertion: a socket still open after it is
 * reported as `closed: false`.
 */
export function rawExchange(
  url: string,
  parts: string | Buffer | readonly (string | Buffer)[],
  options: { waitMs?: number; localAddress?: string } = {},
): Promise<RawExchange> {
  const { port, hostname } = new URL(url);
  const queue = typeof parts === 'string' || Buffer.isBuffer(parts) ? [parts] : [...parts];
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ port: Number(port), host: hostname, localAddress: options.localAddress });
    const finish = (closed: boolean): void => {
      clearTimeout(bound);
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed });
    };
    const bound = setTimeout(() => {
      socket.removeAllListeners('close');
      socket.destroy();
      finish(false);
    }, options.waitMs ?? 3_000);
    const writeNext = (): void => {
      const part = queue.shift();
      if (part === undefined || socket.destroyed) return;
      socket.write(typeof part === 'string' ? Buffer.from(part, 'latin1') : part, () => setImmediate(writeNext));
    };
    socket.on('connect', writeNext);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => finish(true));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // The proxy may reset a connection it refused while we were still writing.
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') reject(err);
    });
  });
}

/** Splits a byte stream into HTTP/1.1 responses (bodies framed by Content-Length, as all of ours are). */
export function parseResponses(text: string): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = text;
  for (let guard = 0; guard < 1_000 && rest.length > 0; guard++) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) break;
    const [statusLine = '', ...lines] = rest.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const status = Number(statusLine.split(' ')[1]);
    const length = status < 200 ? 0 : Number(headers['content-length'] ?? rest.length - end - 4);
    responses.push({ status, headers, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  return responses;
}
