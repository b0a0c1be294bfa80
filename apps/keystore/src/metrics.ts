import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The long-lived event stream: counted when it ends, never timed (its duration is the connection's). */
const UNTIMED_ROUTES: ReadonlySet<string> = new Set(['/internal/v1/events']);
const DATABASE_PROBE_MS = 1000;

export const WEBHOOK_OUTCOMES = ['delivered', 'retrying', 'failed'] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

export interface KeystoreMetricsOptions {
  /** Connected change-event streams right now (proxies listening). */
  eventStreams: () => number;
  /** Resolves when the database answers; asked at scrape time, bounded. */
  ping: () => Promise<void>;
  /**
   * Node's process metrics, prefixed (`routemcp_keystore_process_*`, `routemcp_keystore_nodejs_*`) so a
   * dashboard's `process_*` panels over "all jobs" never mix the keystore into the proxies. On in the
   * app, off in tests that build many apps.
   */
  processMetrics?: boolean | undefined;
}

/**
 * The keystore's own Prometheus series (`GET /metrics` on its port). Labels
 * are route patterns, methods and status codes: never a key, a hash, an id
 * or an email. The proxies measure lookups where they hurt; these say what
 * the keystore itself answers, how fast, and whether its database answers.
 */
export class KeystoreMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'route' | 'method' | 'status'>;
  readonly #duration: Histogram<'route'>;
  readonly #events: Counter;
  readonly #eventReadFailures: Counter;
  readonly #webhookAttempts: Counter<'outcome'>;

  constructor(options: KeystoreMetricsOptions) {
    const registers = [this.registry];
    this.#requests = new Counter({
      name: 'routemcp_keystore_http_requests_total',
      help: 'Requests answered, by route pattern (or "(unmatched)"), method and status.',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.#duration = new Histogram({
      name: 'routemcp_keystore_http_request_duration_seconds',
      help: 'Time to answer, by route pattern (the event stream is not timed).',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.#events = new Counter({
      name: 'routemcp_keystore_events_published_total',
      help: 'Key change events read from the event log and sent to the connected streams.',
      registers,
    });
    this.#webhookAttempts = new Counter({
      name: 'routemcp_keystore_webhook_attempts_total',
      help: 'Webhook delivery attempts by outcome: delivered (2xx), retrying (failed, another attempt due), failed (out of retries).',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of WEBHOOK_OUTCOMES) this.#webhookAttempts.labels(outcome).inc(0);
    this.#eventReadFailures = new Counter({
      name: 'routemcp_keystore_event_reads_failed_total',
      help: 'Reads of the event log that failed (retried by the next wake-up or poll).',
      registers,
    });
    new Gauge({
      name: 'routemcp_keystore_event_streams',
      help: 'Change-event streams connected to this replica (one per proxy process).',
      registers,
      collect() {
        this.set(options.eventStreams());
      },
    });
    new Gauge({
      name: 'routemcp_keystore_database_up',
      help: `1 when the database answered a ping at scrape time (within ${DATABASE_PROBE_MS} ms), else 0.`,
      registers,
      async collect() {
        this.set((await answersWithin(options.ping, DATABASE_PROBE_MS)) ? 1 : 0);
      },
    });
    if (options.processMetrics === true)
      collectDefaultMetrics({ register: this.registry, prefix: 'routemcp_keystore_' });
  }

  request(route: string, method: string, status: number, seconds: number): void {
    this.#requests.labels(route, method, String(status)).inc();
    if (!UNTIMED_ROUTES.has(route)) this.#duration.labels(route).observe(seconds);
  }

  eventsPublished(count: number): void {
    this.#events.inc(count);
  }

  eventReadFailed(): void {
    this.#eventReadFailures.inc();
  }

  webhookAttempt(outcome: WebhookOutcome): void {
    this.#webhookAttempts.labels(outcome).inc();
  }
}

/** Whether `ping` resolved within `ms` (a rejection or a timeout is false). */
export async function answersWithin(ping: () => Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([ping().then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
