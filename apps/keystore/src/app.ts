import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import { EventHub } from './events/event-hub.ts';
import type { PrincipalResolver } from './http/principal.ts';
import { createKeystoreServer } from './http/server.ts';
import { KeyService } from './keys/key-service.ts';
import { startMaintenance } from './maintenance.ts';
import type { KeyStore } from './store/key-store.ts';

export interface KeystoreAppOptions {
  store: KeyStore;
  logger: Logger;
  clock: Clock;
  serviceToken: string;
  adminToken?: string | undefined;
  /** More management credentials (a dashboard session), tried after the admin token. */
  managementResolvers?: readonly PrincipalResolver[];
  eventRetention: number;
  pollIntervalMs?: number;
  pingIntervalMs?: number;
}

export interface KeystoreApp {
  server: Server;
  keys: KeyService;
  hub: EventHub;
  /** Stops accepting, ends event streams and timers. The store stays open: its owner closes it. */
  close(): Promise<void>;
}

/** Everything behind the listening socket, wired; started timers are unref'd. */
export function createKeystoreApp(options: KeystoreAppOptions): KeystoreApp {
  const { store, logger, clock } = options;
  const hub = new EventHub({
    store,
    logger,
    pollIntervalMs: options.pollIntervalMs,
    pingIntervalMs: options.pingIntervalMs,
  });
  const keys = new KeyService({ store, clock, onChange: () => hub.notify() });
  const server = createKeystoreServer({
    keys,
    hub,
    logger,
    serviceToken: options.serviceToken,
    adminToken: options.adminToken,
    managementResolvers: options.managementResolvers,
  });
  hub.start();
  const stopMaintenance = startMaintenance({ keys, store, logger, eventRetention: options.eventRetention });

  return {
    server,
    keys,
    hub,
    close: () =>
      new Promise<void>((resolve) => {
        stopMaintenance();
        server.close(() => resolve());
        hub.stop();
        server.closeIdleConnections();
      }),
  };
}
