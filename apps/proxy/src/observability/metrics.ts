import type { Registry } from 'prom-client';
import { HotCounter, HotHistogram, type HotChild } from './hot-metrics.ts';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The proxy's own series. Labels are outcome codes only: never keys, and no key ids (cardinality). */
export class ProxyMetrics {
  readonly #requests: HotCounter<'outcome'>;
  readonly #requestDuration: HotHistogram;
  readonly #upstreamDuration: HotHistogram;
  /** One child per outcome, resolved on first use. */
  readonly #byOutcome = new Map<string, HotChild>();

  constructor(options: { registry: Registry }) {
    const registry = options.registry;
    this.#requests = new HotCounter({
      name: 'routemcp_proxy_requests_total',
      help: 'Requests handled by the proxy, by outcome (ok or an error code).',
      labelNames: ['outcome'],
      registry,
    });
    this.#requestDuration = new HotHistogram({
      name: 'routemcp_proxy_request_duration_seconds',
      help: 'Time from request arrival to the end of the response.',
      buckets: BUCKETS,
      registry,
    });
    this.#upstreamDuration = new HotHistogram({
      name: 'routemcp_proxy_upstream_duration_seconds',
      help: 'Time from forwarding a request to the upstream response headers.',
      buckets: BUCKETS,
      registry,
    });
  }

  request(outcome: string, seconds: number): void {
    let child = this.#byOutcome.get(outcome);
    if (child === undefined) {
      child = this.#requests.child(outcome);
      this.#byOutcome.set(outcome, child);
    }
    child.inc();
    this.#requestDuration.observe(seconds);
  }

  upstream(seconds: number): void {
    this.#upstreamDuration.observe(seconds);
  }
}
