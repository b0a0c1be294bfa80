import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { KeyEvent, KeyStore } from '../store/key-store.ts';
import { MAX_REPLAY_EVENTS, decideResume, eventId } from './last-event-id.ts';

export interface EventHubOptions {
  store: KeyStore;
  logger: Logger;
  /** Picks up events committed by other processes (the operator CLI). */
  pollIntervalMs?: number;
  pingIntervalMs?: number;
  /**
   * A stream whose unread backlog passes this is closed; its client reconnects
   * and replays. Above a full replay (MAX_REPLAY_EVENTS ≈ 2.5 MB), so a
   * replay alone never trips it.
   */
  maxBufferedBytes?: number;
}

interface Stream {
  res: ServerResponse;
  /** Highest seq this stream has been sent. */
  cursor: number;
}

const PAGE = 500;
/** Bounds one pump; whatever is left is picked up by the next one. */
const MAX_PAGES_PER_PUMP = 100;

/**
 * Fans the durable event log out to every connected SSE stream. One reader
 * (the hub's cursor) serves all streams; writes in this process call
 * `notify()`, and a cheap poll catches writes from other processes.
 */
export class EventHub {
  readonly #store: KeyStore;
  readonly #logger: Logger;
  readonly #pollIntervalMs: number;
  readonly #pingIntervalMs: number;
  readonly #maxBufferedBytes: number;
  readonly #streams = new Set<Stream>();
  #cursor: number;
  #pumpScheduled = false;
  #timers: NodeJS.Timeout[] = [];

  constructor(options: EventHubOptions) {
    this.#store = options.store;
    this.#logger = options.logger;
    this.#pollIntervalMs = options.pollIntervalMs ?? 250;
    this.#pingIntervalMs = options.pingIntervalMs ?? 5000;
    this.#maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
    this.#cursor = this.#store.latestSeq();
  }

  get streamCount(): number {
    return this.#streams.size;
  }

  start(): void {
    if (this.#timers.length > 0) return;
    this.#timers = [
      setInterval(() => this.pump(), this.#pollIntervalMs).unref(),
      setInterval(() => this.#broadcast(': ping\n\n'), this.#pingIntervalMs).unref(),
    ];
  }

  /** Ends every stream; clients reconnect (elsewhere, or here after a restart) and replay. */
  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    for (const stream of this.#streams) {
      stream.res.end();
      // The stream's connection is keep-alive; a draining server must not wait for the client to hang up.
      stream.res.socket?.end();
    }
    this.#streams.clear();
  }

  /** Called after a commit in this process: push within the same turn of the event loop. */
  notify(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.pump();
    });
  }

  pump(): void {
    try {
      for (let page = 0; page < MAX_PAGES_PER_PUMP; page++) {
        const events = this.#store.eventsAfter(this.#cursor, PAGE);
        for (const event of events) this.#publish(event);
        if (events.length < PAGE) return;
      }
    } catch (error) {
      // A busy or closed database: the next poll tries again.
      this.#logger.warn({ err: error }, 'event poll failed');
    }
  }

  /** Answers `GET /internal/v1/events`: hello, maybe reset, replay, then live. */
  open(req: IncomingMessage, res: ServerResponse, lastEventId: string | undefined): void {
    const epoch = this.#store.epoch;
    const latestSeq = this.#store.latestSeq();
    const resume = decideResume(lastEventId, { epoch, latestSeq, prunedThrough: this.#store.prunedThrough() });

    req.socket.setTimeout(0);
    req.socket.setNoDelay(true);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`id: ${eventId(epoch, latestSeq)}\nevent: hello\ndata: ${JSON.stringify({ epoch, seq: latestSeq })}\n\n`);

    const stream: Stream = { res, cursor: latestSeq };
    if (resume.kind === 'reset') {
      res.write(`event: reset\ndata: ${JSON.stringify({ reason: resume.reason })}\n\n`);
    } else if (resume.kind === 'replay') {
      // node:sqlite is synchronous: nothing is published between this replay and the registration below.
      stream.cursor = resume.seq;
      for (let page = 0; page <= MAX_REPLAY_EVENTS / PAGE + 1; page++) {
        const events = this.#store.eventsAfter(stream.cursor, PAGE);
        for (const event of events) this.#send(stream, event, formatEvent(epoch, event));
        if (events.length < PAGE) break;
      }
      stream.cursor = Math.max(stream.cursor, latestSeq);
    }
    if (res.destroyed) return;
    this.#streams.add(stream);
    res.on('close', () => this.#streams.delete(stream));
  }

  #publish(event: KeyEvent): void {
    this.#cursor = event.seq;
    if (this.#streams.size === 0) return;
    const chunk = formatEvent(this.#store.epoch, event);
    for (const stream of this.#streams) {
      if (event.seq > stream.cursor) this.#send(stream, event, chunk);
    }
  }

  #send(stream: Stream, event: KeyEvent, chunk: string): void {
    stream.cursor = event.seq;
    this.#write(stream, chunk);
  }

  #broadcast(chunk: string): void {
    for (const stream of this.#streams) this.#write(stream, chunk);
  }

  #write(stream: Stream, chunk: string): void {
    if (stream.res.destroyed) return;
    stream.res.write(chunk);
    if (stream.res.writableLength > this.#maxBufferedBytes) {
      this.#logger.warn('event stream client too slow, closing it');
      this.#streams.delete(stream);
      stream.res.destroy();
    }
  }
}

function formatEvent(epoch: string, event: KeyEvent): string {
  const data = JSON.stringify({
    type: event.type,
    keyId: event.keyId,
    keyHash: event.keyHash,
    at: new Date(event.at).toISOString(),
  });
  return `id: ${eventId(epoch, event.seq)}\nevent: key\ndata: ${data}\n\n`;
}
