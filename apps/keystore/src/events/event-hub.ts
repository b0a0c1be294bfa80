import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { HttpError } from '@routemcp/errors';
import type { KeyEventData } from '@routemcp/internal-api';
import type { KeyEvent, KeyStore } from '../store/key-store.ts';
import type { EventSignal } from '../store/storage.ts';
import { MAX_REPLAY_EVENTS, decideResume, eventId } from './last-event-id.ts';

export interface EventHubOptions {
  store: KeyStore;
  logger: Logger;
  /** Wake-ups when another process (replica, CLI) committed events; only a hint, the log is the truth. */
  signal?: EventSignal | undefined;
  /** The backstop: reads the log this often whatever the signal says, so a lost wake-up costs at most this. */
  pollIntervalMs?: number;
  pingIntervalMs?: number;
  /**
   * A stream whose unread backlog passes this is closed; its client reconnects
   * and replays. Above a full replay (MAX_REPLAY_EVENTS ≈ 2.5 MB), so a
   * replay alone never trips it.
   */
  maxBufferedBytes?: number;
  /** Told of what the pump read and of reads that failed (the keystore's metrics). */
  observer?: EventHubObserver | undefined;
}

export interface EventHubObserver {
  eventsPublished(count: number): void;
  eventReadFailed(): void;
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
 * (the hub's cursor) serves all streams. It reads the log after a commit in
 * this process (`notify()`), on every wake-up of the signal, and on a
 * backstop poll. Reads are serialised, so a stream's replay and the live
 * pump never interleave: a stream is registered with the seq it has been
 * sent, and the pump sends it only what is above that.
 */
export class EventHub {
  readonly #store: KeyStore;
  readonly #logger: Logger;
  readonly #signal: EventSignal | undefined;
  readonly #pollIntervalMs: number;
  readonly #pingIntervalMs: number;
  readonly #maxBufferedBytes: number;
  readonly #observer: EventHubObserver | undefined;
  readonly #streams = new Set<Stream>();
  /** Undefined until the first read: then the newest seq, so the hub never re-sends history. */
  #cursor: number | undefined;
  #pumpScheduled = false;
  #reads: Promise<unknown> = Promise.resolve();
  #timers: NodeJS.Timeout[] = [];
  #unsubscribe: (() => void) | undefined;

  constructor(options: EventHubOptions) {
    this.#store = options.store;
    this.#logger = options.logger;
    this.#signal = options.signal;
    this.#pollIntervalMs = options.pollIntervalMs ?? 250;
    this.#pingIntervalMs = options.pingIntervalMs ?? 5000;
    this.#maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
    this.#observer = options.observer;
  }

  get streamCount(): number {
    return this.#streams.size;
  }

  start(): void {
    if (this.#timers.length > 0) return;
    this.#timers = [
      setInterval(() => void this.pump(), this.#pollIntervalMs).unref(),
      setInterval(() => this.#broadcast(': ping\n\n'), this.#pingIntervalMs).unref(),
    ];
    this.#unsubscribe = this.#signal?.subscribe(() => this.notify());
    void this.pump();
  }

  /** Ends every stream; clients reconnect (elsewhere, or here after a restart) and replay. */
  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    for (const stream of this.#streams) {
      stream.res.end();
      // The stream's connection is keep-alive; a draining server must not wait for the client to hang up.
      stream.res.socket?.end();
    }
    this.#streams.clear();
  }

  /** A commit in this process, or a wake-up: read the log within the same turn of the event loop. */
  notify(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      void this.pump();
    });
  }

  /** Reads everything after the hub's cursor and publishes it. Never rejects: a failed read is retried by the next one. */
  pump(): Promise<void> {
    return this.#serially(async () => {
      try {
        if (this.#cursor === undefined) {
          this.#cursor = await this.#store.latestSeq();
          return;
        }
        for (let page = 0; page < MAX_PAGES_PER_PUMP; page++) {
          const events = await this.#store.eventsAfter(this.#cursor, PAGE);
          for (const event of events) this.#publish(event);
          if (events.length > 0) this.#observer?.eventsPublished(events.length);
          if (events.length < PAGE) return;
        }
      } catch (error) {
        // The database is busy or away: the next wake-up or poll reads from the same cursor.
        this.#observer?.eventReadFailed();
        this.#logger.warn({ err: error }, 'event read failed');
      }
    });
  }

  /** Answers `GET /internal/v1/events`: hello, maybe reset, replay, then live. */
  open(req: IncomingMessage, res: ServerResponse, lastEventId: string | undefined): Promise<void> {
    return this.#serially(async () => {
      const epoch = this.#store.epoch;
      let latestSeq: number;
      let prunedThrough: number;
      try {
        [latestSeq, prunedThrough] = await Promise.all([this.#store.latestSeq(), this.#store.prunedThrough()]);
      } catch (error) {
        this.#logger.warn({ err: error }, 'event stream refused: the log cannot be read');
        throw new HttpError('SERVICE_UNAVAILABLE');
      }
      this.#cursor ??= latestSeq;
      const resume = decideResume(lastEventId, { epoch, latestSeq, prunedThrough });

      req.socket.setTimeout(0);
      req.socket.setNoDelay(true);
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(
        `id: ${eventId(epoch, latestSeq)}\nevent: hello\ndata: ${JSON.stringify({ epoch, seq: latestSeq })}\n\n`,
      );

      const stream: Stream = { res, cursor: latestSeq };
      if (resume.kind === 'reset') {
        res.write(`event: reset\ndata: ${JSON.stringify({ reason: resume.reason })}\n\n`);
      } else if (resume.kind === 'replay') {
        stream.cursor = resume.seq;
        try {
          for (let page = 0; page <= MAX_REPLAY_EVENTS / PAGE + 1; page++) {
            const events = await this.#store.eventsAfter(stream.cursor, PAGE);
            for (const event of events) this.#send(stream, event, formatEvent(epoch, event));
            if (events.length < PAGE) break;
          }
        } catch (error) {
          // Half a replay must not look like a whole one: end the stream, the client reconnects from what it got.
          this.#logger.warn({ err: error }, 'event replay failed, closing the stream');
          res.end();
          return;
        }
        stream.cursor = Math.max(stream.cursor, latestSeq);
      }
      if (res.destroyed) return;
      this.#streams.add(stream);
      res.on('close', () => this.#streams.delete(stream));
    });
  }

  #serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#reads.then(task);
    this.#reads = run.catch(() => undefined);
    return run;
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
  const data: KeyEventData = {
    type: event.type,
    keyId: event.keyId,
    keyHash: event.keyHash,
    at: new Date(event.at).toISOString(),
  };
  return `id: ${eventId(epoch, event.seq)}\nevent: key\ndata: ${JSON.stringify(data)}\n\n`;
}
