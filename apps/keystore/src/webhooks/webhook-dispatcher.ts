import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import {
  afterAttempt,
  DISABLE_AFTER_MS,
  RETRY_SCHEDULE_MS,
  type ClaimedDelivery,
  type WebhookRecord,
} from './webhook-record.ts';
import { SEND_TIMEOUT_MS, type SendAttempt } from './webhook-sender.ts';
import type { WebhookStore } from './webhook-store.ts';

export interface WebhookDispatcherOptions {
  store: WebhookStore;
  send: SendAttempt;
  clock: Clock;
  logger: Logger;
  /** Counts each attempt's outcome (`/metrics`). */
  observer?: { webhookAttempt(outcome: 'delivered' | 'retrying' | 'failed'): void };
  /** Told when a run of failures turned an endpoint off (the audit log). */
  onDisabled?: (webhook: WebhookRecord) => Promise<void>;
  /** Tests shorten it; production keeps the Standard Webhooks schedule. */
  schedule?: readonly number[];
  disableAfterMs?: number;
  /** How long a claim keeps other replicas off a row: longer than an attempt can take. */
  leaseMs?: number;
  /** Attempts in flight at once: a receiver that hangs holds one slot, not the queue. */
  concurrency?: number;
  /** The backstop for changes made by other processes (replicas); this one's own changes call `wake`. */
  pollIntervalMs?: number;
}

/**
 * Sends what the outbox holds, beside (never inside) the request that wrote
 * it. Each keystore process runs one; due deliveries are claimed with a lease
 * on the row, so with several replicas each attempt is made by one of them.
 */
export class WebhookDispatcher {
  readonly #options: WebhookDispatcherOptions;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #leaseMs: number;
  readonly #concurrency: number;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #again = false;
  #started = false;
  #stopped = false;

  constructor(options: WebhookDispatcherOptions) {
    this.#options = options;
    this.#leaseMs = options.leaseMs ?? SEND_TIMEOUT_MS * 3;
    this.#concurrency = options.concurrency ?? 16;
  }

  start(): void {
    this.#started = true;
    this.#timer = setInterval(() => this.wake(), this.#options.pollIntervalMs ?? 1000).unref();
    this.wake();
  }

  /**
   * Something may be due now (a change this process committed): look without
   * waiting for the poll. On a later turn of the event loop, so a management
   * call that woke it answers before any claim or send starts.
   */
  wake(): void {
    // Not started (tests that drive it with `drain`): nothing runs on its own.
    if (!this.#started || this.#stopped) return;
    if (this.#ticking !== undefined) {
      this.#again = true;
      return;
    }
    this.#ticking = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#tick())
      .finally(() => {
        this.#ticking = undefined;
        if (this.#again) {
          this.#again = false;
          this.wake();
        }
      });
  }

  /** Claims what is due now and waits until those attempts are recorded (tests drive a fake clock with it). */
  async drain(): Promise<void> {
    await this.#ticking;
    await this.#tick();
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  /**
   * Stops claiming and gives attempts in flight up to `waitMs` to end (a
   * drain must not wait out a hanging receiver); one cut short is made again
   * when its lease lapses.
   */
  async stop(waitMs = 2000): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
    await Promise.race([Promise.all([this.#ticking, ...this.#inFlight]), deadline]);
    clearTimeout(timer);
  }

  async #tick(): Promise<void> {
    try {
      for (let round = 0; round < 100 && !this.#stopped; round++) {
        const room = this.#concurrency - this.#inFlight.size;
        if (room <= 0) return;
        const claims = await this.#options.store.claimDue(this.#options.clock.now(), this.#leaseMs, room);
        for (const claim of claims) {
          const attempt: Promise<void> = this.#attempt(claim).finally(() => {
            this.#inFlight.delete(attempt);
            // A full batch may have left more due rows behind.
            if (claims.length === room) this.wake();
          });
          this.#inFlight.add(attempt);
        }
        if (claims.length < room) return;
      }
    } catch (error) {
      // The database away: the next poll tries again; the rows stay in the outbox.
      this.#options.logger.warn({ err: error }, 'webhook dispatch pass failed');
    }
  }

  async #attempt(claim: ClaimedDelivery): Promise<void> {
    const { store, clock, logger } = this.#options;
    const outcome = await this.#options.send(claim, clock.now());
    const now = clock.now();
    const attempts = claim.attempts + 1;
    const next = afterAttempt(attempts, outcome, now, this.#options.schedule ?? RETRY_SCHEDULE_MS);
    const fields = { webhookId: claim.webhookId, deliveryId: claim.id, attempt: attempts, status: next.status };
    this.#options.observer?.webhookAttempt(
      next.status === 'succeeded' ? 'delivered' : next.status === 'pending' ? 'retrying' : 'failed',
    );
    if (outcome.ok) logger.debug(fields, 'webhook delivered');
    else
      logger.info(
        { ...fields, responseStatus: outcome.responseStatus, error: outcome.error },
        'webhook attempt failed',
      );
    try {
      const disabled = await store.finishAttempt(
        claim,
        { ...next, outcome, disableAfterMs: this.#options.disableAfterMs ?? DISABLE_AFTER_MS },
        now,
      );
      if (disabled !== undefined) {
        logger.warn({ webhookId: disabled.id }, 'webhook endpoint disabled after failing for days');
        await this.#options.onDisabled?.(disabled);
      }
    } catch (error) {
      // Not recorded: the lease lapses and the attempt is made again (at least once, never lost).
      logger.warn({ err: error, deliveryId: claim.id }, 'webhook attempt not recorded');
    }
  }
}
