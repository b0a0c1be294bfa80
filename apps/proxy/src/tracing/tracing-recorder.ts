import type { Logger } from 'pino';
import { Recorder, type Exchange, type ProxyMetrics, type UsageCounter } from '../observability/index.ts';
import type { ExchangeSpans } from './exchange-spans.ts';

/** The recorder, when tracing is on: each exchange it records also ends its SERVER span. */
export class TracingRecorder extends Recorder {
  readonly #spans: ExchangeSpans;

  constructor(
    options: { logger: Logger; metrics: ProxyMetrics; usage?: UsageCounter | undefined },
    spans: ExchangeSpans,
  ) {
    super(options);
    this.#spans = spans;
  }

  override record(exchange: Exchange): void {
    super.record(exchange);
    this.#spans.end(exchange);
  }
}
