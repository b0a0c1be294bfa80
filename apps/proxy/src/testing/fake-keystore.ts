import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupQuota } from '@routemcp/internal-api';

export interface FakeKeyData {
  id: string;
  accountId: string;
  environment: 'live' | 'test';
  status: 'active' | 'revoked';
  expiresAt: string | null;
  rateLimit: { capacity: number; refillPerSecond: number } | null;
  permissions?: string[] | null;
  allowedIps?: string[] | null;
  /** As the lookup sends it: what the keystore counted in the current period. */
  quota?: LookupQuota | null;
}

/** How lookups misbehave, for failure tests. */
export type LookupMode = 'normal' | 'error-500' | 'bad-json' | 'wrong-shape' | 'hang' | 'stall-body';

interface LoggedEvent {
  seq: number;
  type: string;
  keyHash: string;
}

/**
 * A stand-in for the keystore's internal API (docs/internal-api.md) on
 * 127.0.0.1, port 0: lookups by hash and the change-event stream with
 * replay. Counts what it is asked so tests can assert on traffic, and emits
 * `change` on `changes` whenever that traffic moves (a lookup, a stream
 * request, a stream closing) so they can await it (testing/until.ts).
 */
export class FakeKeystore {
  readonly changes = new EventEmitter();
  readonly token: string;
  readonly records = new Map<string, FakeKeyData>();
  readonly lookups = new Map<string, number>();
  /** The `Last-Event-ID` header of every stream request, in order (undefined: none sent). */
  readonly streamRequests: (string | undefined)[] = [];
  mode: LookupMode = 'normal';
  /** While true, stream requests get a 503 (the proxy must keep retrying). */
  refuseStreams = false;
  /** Events at or below this seq are no longer retained: older ids get `reset`. */
  retainedFrom = 0;
  epoch = 'ep1';
  #log: LoggedEvent[] = [];
  #streams = new Set<ServerResponse>();
  #server = createServer((req, res) => this.#handle(req, res));
  url = '';

  constructor(token = 'test-service-token') {
    this.token = token;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  get totalLookups(): number {
    let total = 0;
    for (const n of this.lookups.values()) total += n;
    return total;
  }

  get openStreams(): number {
    return this.#streams.size;
  }

  /** Appends a key event to the log and pushes it to every open stream. */
  emit(type: string, keyHash: string): void {
    const event = { seq: this.#log.length + 1, type, keyHash };
    this.#log.push(event);
    for (const res of this.#streams) this.#write(res, event);
  }

  /** Cuts every open stream (the proxy should reconnect). */
  dropStreams(): void {
    for (const res of this.#streams) res.destroy();
    this.#streams.clear();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.dropStreams();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end('{"success":false,"statusCode":401,"message":"Authentication required","code":"UNAUTHORIZED"}');
      return;
    }
    const url = req.url ?? '';
    if (url === '/internal/v1/events') return this.#stream(req, res);
    const match = /^\/internal\/v1\/keys\/([0-9a-f]{64})$/.exec(url);
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    const hash = match[1]!;
    this.lookups.set(hash, (this.lookups.get(hash) ?? 0) + 1);
    this.#lookup(hash, res);
    this.changes.emit('change');
  }

  #lookup(hash: string, res: ServerResponse): void {
    const json = { 'content-type': 'application/json' };
    switch (this.mode) {
      case 'hang':
        return;
      case 'stall-body':
        // Headers and half a body, then silence.
        res.writeHead(200, json).write('{"success":true,"data":{');
        return;
      case 'error-500':
        res
          .writeHead(500, json)
          .end('{"success":false,"statusCode":500,"message":"Internal server error","code":"INTERNAL_ERROR"}');
        return;
      case 'bad-json':
        res.writeHead(200, json).end('{"success":true,"data":');
        return;
      case 'wrong-shape':
        res.writeHead(200, json).end('{"success":true,"data":{"id":42}}');
        return;
    }
    const data = this.records.get(hash);
    if (!data) {
      res.writeHead(404, json).end('{"success":false,"statusCode":404,"message":"Not found","code":"NOT_FOUND"}');
      return;
    }
    res.writeHead(200, json).end(JSON.stringify({ success: true, data }));
  }

  #stream(req: IncomingMessage, res: ServerResponse): void {
    const lastEventId = req.headers['last-event-id'] as string | undefined;
    this.streamRequests.push(lastEventId);
    if (this.refuseStreams) {
      res.writeHead(503).end();
      this.changes.emit('change');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const newest = this.#log.length;
    res.write(
      `event: hello\nid: ${this.epoch}:${newest}\ndata: ${JSON.stringify({ epoch: this.epoch, seq: newest })}\n\n`,
    );
    if (lastEventId !== undefined) {
      const [epoch, seqText] = lastEventId.split(':');
      const seq = Number(seqText);
      if (epoch !== this.epoch || !Number.isInteger(seq) || seq < this.retainedFrom) {
        res.write(`event: reset\nid: ${this.epoch}:${newest}\ndata: {}\n\n`);
      } else {
        for (const event of this.#log.slice(seq)) this.#write(res, event);
      }
    }
    this.#streams.add(res);
    res.on('close', () => {
      this.#streams.delete(res);
      this.changes.emit('change');
    });
    this.changes.emit('change');
  }

  #write(res: ServerResponse, event: LoggedEvent): void {
    const data = JSON.stringify({
      type: event.type,
      keyId: `key_${event.seq}`,
      keyHash: event.keyHash,
      at: new Date(0).toISOString(),
    });
    res.write(`event: key\nid: ${this.epoch}:${event.seq}\ndata: ${data}\n\n`);
  }
}
