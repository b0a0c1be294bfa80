import { redact } from '@routemcp/api-key';
import { pino, type Logger } from 'pino';
import type { Exchange } from './exchange.ts';
import type { ProxyMetrics } from './metrics.ts';

/** Per-key usage for the dashboard, reported to the keystore in batches (UsageRecorder). */
export interface UsageCounter {
  /**
   * `limited`: refused by a bucket or the quota (429); `admitted`: let
   * through to the upstream (what quotas count).
   */
  record(keyId: string, limited: boolean, admitted: boolean): void;
}

/** Where log lines go: pino's own destination (a buffered sonic-boom in production). */
interface LineSink {
  write(line: string): unknown;
}

/** The path as it may be logged: no query string (it can carry anything), and nothing key-shaped. */
export function loggablePath(target: string | undefined): string {
  if (target === undefined) return '';
  const query = target.indexOf('?');
  return redact(query === -1 ? target : target.slice(0, query));
}

/**
 * The one place an exchange ends up, for HTTP requests and WebSocket
 * upgrades alike: request metrics, per-key usage and the access log.
 *
 * The access-log line has a fixed shape and is built as one string written
 * to the logger's destination, the same stream (and so the same order and
 * buffering) as every other line: level, time and the logger's base fields
 * as pino writes them, then the request's fields, then `msg`. Only strings
 * that come from outside (path, ids) go through JSON escaping; building a
 * pino object per request costs several times more.
 *
 * A busy proxy writes nearly the same line again and again: the same hot
 * key, the same path, the same outcome, many requests per millisecond. Each
 * of those fragments is remembered as last written (one entry each, compared
 * by value), so the common line costs one id escape and one concatenation;
 * only a change of key, path or millisecond formats that part again.
 */
export class Recorder {
  readonly #metrics: ProxyMetrics;
  readonly #usage: UsageCounter | undefined;
  readonly #logger: Logger;
  readonly #sink: LineSink;
  /** `"service":"routemcp-proxy"` and the other base bindings, as pino would write them. */
  readonly #base: string;
  readonly #time = new LastFragment<number>((ms) => `{"level":30,"time":"${new Date(ms).toISOString()}"`);
  readonly #target = new LastFragment<string | undefined>(
    (target) => `,"path":${JSON.stringify(loggablePath(target))}`,
  );
  readonly #outcome = new LastFragment<string>((outcome) => `,"outcome":${JSON.stringify(outcome)}`);
  #keyId: string | null = null;
  #accountId: string | null = null;
  #keyFields = ',"keyId":null,"accountId":null';

  constructor(options: { logger: Logger; metrics: ProxyMetrics; usage?: UsageCounter | undefined }) {
    this.#metrics = options.metrics;
    this.#usage = options.usage;
    this.#logger = options.logger;
    // pino keeps its destination under this symbol (its typings do not say so).
    this.#sink = (options.logger as unknown as Record<symbol, LineSink>)[pino.symbols.streamSym]!;
    let base = '';
    for (const [name, value] of Object.entries(options.logger.bindings()))
      base += `,${JSON.stringify(name)}:${JSON.stringify(value)}`;
    this.#base = base;
  }

  record(exchange: Exchange): void {
    const now = performance.now();
    const ms = now - exchange.startedAt;
    this.#metrics.request(exchange.outcome, ms / 1000);
    if (exchange.upstreamRespondedAt > 0)
      this.#metrics.upstream((exchange.upstreamRespondedAt - exchange.forwardedAt) / 1000);
    const keyId = exchange.keyId;
    if (keyId !== null && this.#usage !== undefined) {
      const outcome = exchange.outcome;
      this.#usage.record(keyId, outcome === 'RATE_LIMITED' || outcome === 'QUOTA_EXCEEDED', exchange.forwardedAt > 0);
    }
    if (!this.#logger.isLevelEnabled('info')) return;
    this.#sink.write(
      `${this.#time.of(Date.now())}${this.#base},"reqId":${JSON.stringify(exchange.requestId)}` +
        `${this.#keyFieldsOf(keyId, exchange.accountId)},"method":${text(exchange.method ?? null)}` +
        `${this.#target.of(exchange.target)},"status":${exchange.statusCode}` +
        `${this.#outcome.of(exchange.outcome)},"ms":${Math.round(ms * 1000) / 1000}` +
        `,"upgrade":${exchange.upgrade},"msg":"request"}\n`,
    );
  }

  #keyFieldsOf(keyId: string | null, accountId: string | null): string {
    if (keyId !== this.#keyId || accountId !== this.#accountId) {
      this.#keyId = keyId;
      this.#accountId = accountId;
      this.#keyFields = `,"keyId":${text(keyId)},"accountId":${text(accountId)}`;
    }
    return this.#keyFields;
  }
}

/** One formatted fragment, made again only when its input differs from the last one's. */
class LastFragment<T> {
  readonly #format: (value: T) => string;
  #value: T | typeof UNSET = UNSET;
  #text = '';

  constructor(format: (value: T) => string) {
    this.#format = format;
  }

  of(value: T): string {
    if (value !== this.#value) {
      this.#value = value;
      this.#text = this.#format(value);
    }
    return this.#text;
  }
}

const UNSET: unique symbol = Symbol('unset');

function text(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}
