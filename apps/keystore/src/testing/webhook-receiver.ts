import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { webhookPayloadSchema, type WebhookPayload } from '@routemcp/internal-api';

export interface ReceivedDelivery {
  headers: Record<string, string>;
  body: string;
}

/** How the receiver answers one request: a status, or `hang` (never answers; the connection is cut at close). */
export type Answer = number | 'hang';

export interface WebhookReceiver extends AsyncDisposable {
  url: string;
  received: ReceivedDelivery[];
  /** Answers in order for the next requests; then 200. */
  answers: Answer[];
  /** Resolves once `count` requests have arrived (bounded by `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedDelivery[]>;
  /** Checks the signature as any Standard Webhooks receiver would, and parses the body with the shared schema. */
  verify(delivery: ReceivedDelivery, secret: string): WebhookPayload;
  close(): Promise<void>;
}

/** A loopback receiver that records every delivery; `port` reuses one (the keystore restarted against it). */
export async function startWebhookReceiver(port = 0): Promise<WebhookReceiver> {
  const received: ReceivedDelivery[] = [];
  const answers: Answer[] = [];
  const hanging = new Set<ServerResponse>();
  const waiters = new Set<() => void>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([name, value]) => [
          name,
          Array.isArray(value) ? value.join(', ') : (value ?? ''),
        ]),
      );
      received.push({ headers, body: Buffer.concat(chunks).toString('utf8') });
      for (const wake of waiters) wake();
      const answer = answers.shift() ?? 200;
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(answer, { 'content-type': 'text/plain' });
      res.end(answer < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  const close = async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `http://127.0.0.1:${address.port}/hooks`,
    received,
    answers,
    async waitFor(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`the receiver got ${received.length} of ${count} deliveries in ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, left);
          function done() {
            clearTimeout(timer);
            waiters.delete(done);
            resolve();
          }
          waiters.add(done);
        });
      }
      return received.slice(0, count);
    },
    verify(delivery, secret) {
      // Throws WebhookVerificationError on a bad signature, a missing header or a timestamp out of tolerance.
      new Webhook(secret).verify(delivery.body, delivery.headers);
      return webhookPayloadSchema.parse(JSON.parse(delivery.body));
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
