import type { Logger } from 'pino';
import type { SessionService } from './accounts/session-service.ts';
import type { KeyService } from './keys/key-service.ts';
import type { KeyStore } from './store/key-store.ts';

export interface MaintenanceOptions {
  keys: KeyService;
  store: KeyStore;
  logger: Logger;
  eventRetention: number;
  /** Expired sessions are deleted too, when the dashboard runs. */
  sessions?: SessionService | undefined;
  intervalMs?: number;
}

/** Announces expiries and prunes the event log; one pass per tick. */
export function runMaintenance({ keys, store, logger, eventRetention, sessions }: MaintenanceOptions): void {
  try {
    keys.expireDue();
    store.pruneEvents(eventRetention);
    sessions?.deleteExpired();
  } catch (error) {
    // Usually SQLITE_BUSY while the operator CLI writes: the next tick retries.
    logger.warn({ err: error }, 'maintenance pass failed');
  }
}

/** Starts the once-a-second pass; returns its stop function. */
export function startMaintenance(options: MaintenanceOptions): () => void {
  const timer = setInterval(() => runMaintenance(options), options.intervalMs ?? 1000).unref();
  return () => clearInterval(timer);
}
