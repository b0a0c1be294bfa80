import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { AccountStore } from './accounts/account-store.ts';
import { FailureThrottle } from './accounts/failure-throttle.ts';
import { LoginService } from './accounts/login-service.ts';
import type { ScryptCost } from './accounts/password.ts';
import { SessionService } from './accounts/session-service.ts';
import type { Clock } from './clock.ts';
import type { DashboardDeps } from './dashboard/dashboard-deps.ts';
import { EventHub } from './events/event-hub.ts';
import type { PrincipalResolver } from './http/principal.ts';
import { requestOrigin } from './http/request-origin.ts';
import { createKeystoreServer } from './http/server.ts';
import { KeyService } from './keys/key-service.ts';
import { startMaintenance } from './maintenance.ts';
import type { KeyStore } from './store/key-store.ts';

const MINUTE = 60_000;

export interface KeystoreAppOptions {
  store: KeyStore;
  logger: Logger;
  clock: Clock;
  serviceToken: string;
  adminToken?: string | undefined;
  /** More management credentials, tried after the admin token and the dashboard session. */
  managementResolvers?: readonly PrincipalResolver[];
  eventRetention: number;
  pollIntervalMs?: number;
  pingIntervalMs?: number;
  /** Users, sessions, audit: with it the keystore serves the dashboard and accepts sessions on /v1/keys. */
  accounts?: AccountStore;
  trustProxy?: boolean;
  sessionTtlMs?: number;
  sessionIdleMs?: number;
  /** Tests lower it; production keeps the default. */
  scryptCost?: ScryptCost;
}

export interface KeystoreApp {
  server: Server;
  keys: KeyService;
  hub: EventHub;
  /** Set when `accounts` was given. */
  login: LoginService | undefined;
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
  const dashboard = options.accounts === undefined ? undefined : dashboardDeps(options, options.accounts);
  const server = createKeystoreServer({
    keys,
    hub,
    logger,
    serviceToken: options.serviceToken,
    adminToken: options.adminToken,
    managementResolvers: options.managementResolvers,
    dashboard,
  });
  hub.start();
  const stopMaintenance = startMaintenance({
    keys,
    store,
    logger,
    eventRetention: options.eventRetention,
    sessions: dashboard?.sessions,
  });

  return {
    server,
    keys,
    hub,
    login: dashboard?.login,
    close: () =>
      new Promise<void>((resolve) => {
        stopMaintenance();
        server.close(() => resolve());
        hub.stop();
        server.closeIdleConnections();
      }),
  };
}

function dashboardDeps(options: KeystoreAppOptions, accounts: AccountStore): DashboardDeps {
  const { clock } = options;
  const sessions = new SessionService({
    store: accounts,
    clock,
    ttlMs: options.sessionTtlMs ?? 12 * 60 * MINUTE,
    idleMs: options.sessionIdleMs ?? 30 * MINUTE,
  });
  // Per email: 5 misses in 15 min lock it for 15 min. Per address looser, since offices share one.
  const byEmail = new FailureThrottle({ clock, maxFailures: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE });
  const byAddress = new FailureThrottle({ clock, maxFailures: 20, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE });
  const login = new LoginService({ accounts, sessions, clock, byEmail, byAddress, scryptCost: options.scryptCost });
  return { accounts, sessions, login, clock, origin: requestOrigin({ trustProxy: options.trustProxy ?? false }) };
}
