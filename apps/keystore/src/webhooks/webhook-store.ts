import type {
  AttemptOutcome,
  ClaimedDelivery,
  DeliveryRecord,
  NewWebhook,
  OutboxEvent,
  WebhookPatch,
  WebhookRecord,
} from './webhook-record.ts';

/** What the dispatcher writes after one attempt; computed by `afterAttempt`, applied only while the lease holds. */
export interface AttemptRecord extends Pick<DeliveryRecord, 'status' | 'attempts' | 'nextAttemptAt'> {
  outcome: AttemptOutcome;
  /** The run of failures this long turns the endpoint off. */
  disableAfterMs: number;
}

/**
 * Endpoints and their outbox. Events enter the outbox inside the key store's
 * own transactions (`sqlite-outbox.ts`, `postgres-outbox.ts`); this store
 * manages endpoints and hands due deliveries to dispatchers, one at a time
 * per delivery (a lease on the row). `now` is always passed in.
 */
export interface WebhookStore {
  createWebhook(webhook: NewWebhook, now: number): Promise<WebhookRecord>;
  getWebhook(id: string): Promise<WebhookRecord | undefined>;
  /** Oldest first; undefined: every account. */
  listWebhooks(accountId: string | undefined): Promise<WebhookRecord[]>;
  updateWebhook(id: string, patch: WebhookPatch, now: number): Promise<WebhookRecord | undefined>;
  setSecret(id: string, secret: string, now: number): Promise<WebhookRecord | undefined>;
  /** Its deliveries go with it. */
  deleteWebhook(id: string): Promise<boolean>;

  /** Newest first. */
  listDeliveries(webhookId: string, limit: number): Promise<DeliveryRecord[]>;
  getDelivery(id: string): Promise<DeliveryRecord | undefined>;
  /** Makes a delivery due now again (one more attempt); undefined when there is no such delivery. */
  retryDelivery(id: string, now: number): Promise<DeliveryRecord | undefined>;
  /** Deletes deliveries that ended (succeeded or failed) before `before`; returns how many. */
  pruneDeliveries(before: number): Promise<number>;
  /** Adds an event outside any key change (tests; events that change no key row). Returns deliveries written. */
  enqueue(event: OutboxEvent, now: number): Promise<number>;

  /**
   * Takes up to `limit` due deliveries of enabled endpoints that no one holds,
   * leasing each until `now + leaseMs`: while the lease runs no other
   * dispatcher (replica) takes it; when it lapses (the holder died) any may.
   */
  claimDue(now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]>;
  /**
   * Records an attempt's end if the lease is still this claim's, and the
   * endpoint's health: a success clears its failure run, a failure starts or
   * extends it. Returns the endpoint when this attempt disabled it.
   */
  finishAttempt(claim: ClaimedDelivery, record: AttemptRecord, now: number): Promise<WebhookRecord | undefined>;
}
