import { request, type IncomingMessage } from 'node:http';

export interface SseMessage {
  id: string | undefined;
  event: string;
  data: string;
}

export interface SseClient {
  status: number;
  /** Resolves with the next message (comments included as event ":") matching `predicate`. */
  next(predicate?: (message: SseMessage) => boolean): Promise<SseMessage>;
  /** Every message received so far. */
  received: SseMessage[];
  close(): void;
}

/** A minimal SSE reader over node:http, for tests. */
export function connectSse(url: string, headers: Record<string, string>): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res: IncomingMessage) => {
      const received: SseMessage[] = [];
      const waiters: { predicate: (m: SseMessage) => boolean; resolve: (m: SseMessage) => void; from: number }[] = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          received.push(parseBlock(block));
          for (const waiter of [...waiters]) {
            const found = received.slice(waiter.from).find(waiter.predicate);
            if (found !== undefined) {
              waiters.splice(waiters.indexOf(waiter), 1);
              waiter.resolve(found);
            }
          }
        }
      });
      let consumed = 0;
      resolve({
        status: res.statusCode ?? 0,
        received,
        next(predicate = () => true) {
          return new Promise((resolveMessage) => {
            const wrapped = (m: SseMessage) => {
              consumed = received.indexOf(m) + 1;
              resolveMessage(m);
            };
            const found = received.slice(consumed).find(predicate);
            if (found !== undefined) wrapped(found);
            else waiters.push({ predicate, resolve: wrapped, from: consumed });
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function parseBlock(block: string): SseMessage {
  const message: SseMessage = { id: undefined, event: 'message', data: '' };
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) {
      message.event = ':';
      data.push(line.slice(1).trim());
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') message.id = value;
    else if (field === 'event') message.event = value;
    else if (field === 'data') data.push(value);
  }
  message.data = data.join('\n');
  return message;
}
