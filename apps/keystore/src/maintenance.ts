import type { Logger } from 'pino';
import type { FailureStore } from './accounts/failure-store.ts';
import type { SessionService } from './accounts/session-service.ts';
import type { Clock } from './clock.ts';
import type { KeyService } from './keys/key-service.ts';
import type { KeyStore } from './store/key-store.ts';
import type { WebhookStore } from './webhooks/webhook-store.ts';

export interface MaintenanceOptions {
  keys: KeyService;
  store: KeyStore;
  logger: Logger;
  eventRetention: number;
  /** Expired sessions are deleted too, when the dashboard runs. */
  sessions?: SessionService | undefined;
  /** Lock-out entries idle longer than `horizonMs` are forgotten. */
  failures?: { store: FailureStore; clock: Clock; horizonMs: number } | undefined;
  /** Webhook deliveries that ended longer than `retentionMs` ago are deleted. */
  webhooks?: { store: WebhookStore; clock: Clock; retentionMs: number } | undefined;
  intervalMs?: number;
}

/**
 * Announces expiries and prunes the event log; one pass per tick. Every
 * replica runs it: each step re-reads inside its own transaction, so two
 * replicas at once announce an expiry once.
 */
export async function runMaintenance({
  keys,
  store,
  logger,
  eventRetention,
  sessions,
  failures,
  webhooks,
}: MaintenanceOptions): Promise<void> {
  try {
    await keys.expireDue();
    await store.pruneEvents(eventRetention);
    await sessions?.deleteExpired();
    await failures?.store.prune(failures.clock.now() - failures.horizonMs);
    await webhooks?.store.pruneDeliveries(webhooks.clock.now() - webhooks.retentionMs);
  } catch (error) {
    // SQLITE_BUSY while the operator CLI writes, or the database away: the next tick retries.
    logger.warn({ err: error }, 'maintenance pass failed');
  }
}

/** Starts the once-a-second pass (never two at once); returns its stop function. */
export function startMaintenance(options: MaintenanceOptions): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void runMaintenance(options).finally(() => (running = false));
  }, options.intervalMs ?? 1000).unref();
  return () => clearInterval(timer);
}
