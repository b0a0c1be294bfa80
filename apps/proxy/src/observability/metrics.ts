import { Counter, Histogram, type Registry } from 'prom-client';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The proxy's own series. Labels are outcome codes only: never keys, and no key ids (cardinality). */
export class ProxyMetrics {
  readonly #requests: Counter<'outcome'>;
  readonly #requestDuration: Histogram;
  readonly #upstreamDuration: Histogram;
  /** prom-client hashes label values on every call; one child per outcome is enough. */
  readonly #byOutcome = new Map<string, Counter.Internal>();

  constructor(options: { registry: Registry }) {
    const registers = [options.registry];
    this.#requests = new Counter({
      name: 'routemcp_proxy_requests_total',
      help: 'Requests handled by the proxy, by outcome (ok or an error code).',
      labelNames: ['outcome'],
      registers,
    });
    this.#requestDuration = new Histogram({
      name: 'routemcp_proxy_request_duration_seconds',
      help: 'Time from request arrival to the end of the response.',
      buckets: BUCKETS,
      registers,
    });
    this.#upstreamDuration = new Histogram({
      name: 'routemcp_proxy_upstream_duration_seconds',
      help: 'Time from forwarding a request to the upstream response headers.',
      buckets: BUCKETS,
      registers,
    });
  }

  request(outcome: string, seconds: number): void {
    let child = this.#byOutcome.get(outcome);
    if (child === undefined) {
      child = this.#requests.labels(outcome);
      this.#byOutcome.set(outcome, child);
    }
    child.inc();
    this.#requestDuration.observe(seconds);
  }

  upstream(seconds: number): void {
    this.#upstreamDuration.observe(seconds);
  }
}
