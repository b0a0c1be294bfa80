import type { Tracing } from '@routemcp/tracing';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { ConcurrencyGate } from './accounts/concurrency-gate.ts';
import { FailureThrottle } from './accounts/failure-throttle.ts';
import { LoginService } from './accounts/login-service.ts';
import { ScryptHasher, type PasswordHasher } from './accounts/password.ts';
import { SessionService } from './accounts/session-service.ts';
import type { Clock } from './clock.ts';
import type { DashboardDeps } from './dashboard/dashboard-deps.ts';
import { EventHub } from './events/event-hub.ts';
import type { PrincipalResolver } from './http/principal.ts';
import { requestOrigin } from './http/request-origin.ts';
import { createKeystoreServer } from './http/server.ts';
import { KeyService } from './keys/key-service.ts';
import { startMaintenance } from './maintenance.ts';
import { KeystoreMetrics } from './metrics.ts';
import type { Storage } from './store/storage.ts';

const MINUTE = 60_000;
const LOCK_WINDOW_MS = 15 * MINUTE;
/**
 * Password checks (scrypt) running at once per process; past it a login is a 429 at once. scrypt runs on
 * libuv's threadpool (4 threads unless UV_THREADPOOL_SIZE says otherwise), which file and DNS work share:
 * 2 leaves half of it free, and bounds scrypt's memory to 2 × 32 MiB.
 */
export const LOGIN_CHECK_CONCURRENCY = 2;

export interface KeystoreAppOptions {
  /** Keys, accounts, sessions, lock-outs and the event signal, on one database. */
  storage: Storage;
  logger: Logger;
  clock: Clock;
  serviceToken: string;
  adminToken?: string | undefined;
  /** More management credentials, tried after the admin token and the dashboard session. */
  managementResolvers?: readonly PrincipalResolver[];
  eventRetention: number;
  pollIntervalMs?: number;
  pingIntervalMs?: number;
  /** Addresses/CIDRs of the proxies in front (KEYSTORE_TRUSTED_PROXIES); none: the socket peer is the client. */
  trustedProxies?: readonly string[];
  sessionTtlMs?: number;
  sessionIdleMs?: number;
  /** Tests pass a cheaper or counting one; production keeps scrypt at SCRYPT_COST. */
  passwords?: PasswordHasher;
  /** Tests raise or lower it; production keeps LOGIN_CHECK_CONCURRENCY. */
  loginCheckConcurrency?: number;
  /** Node's process metrics on `/metrics` besides the keystore's own (main.ts turns them on). */
  processMetrics?: boolean;
  /** OpenTelemetry (main.ts starts it when an endpoint is set); absent: nothing traced. */
  tracing?: Tracing | undefined;
}

export interface KeystoreApp {
  server: Server;
  keys: KeyService;
  hub: EventHub;
  login: LoginService;
  metrics: KeystoreMetrics;
  /** Stops accepting, ends event streams and timers. The store stays open: its owner closes it. */
  close(): Promise<void>;
}

/** Everything behind the listening socket, wired; started timers are unref'd. */
export function createKeystoreApp(options: KeystoreAppOptions): KeystoreApp {
  const { storage, logger, clock } = options;
  const store = storage.keys;
  const metrics: KeystoreMetrics = new KeystoreMetrics({
    eventStreams: (): number => hub.streamCount,
    ping: () => storage.ping(),
    processMetrics: options.processMetrics,
  });
  const hub: EventHub = new EventHub({
    observer: metrics,
    store,
    logger,
    signal: storage.eventSignal,
    // With a wake-up signal (PostgreSQL) the poll is only the backstop for a lost notification.
    pollIntervalMs: options.pollIntervalMs ?? (storage.eventSignal === undefined ? 250 : 1000),
    pingIntervalMs: options.pingIntervalMs,
  });
  const keys = new KeyService({ store, clock, onChange: () => hub.notify() });
  const dashboard = dashboardDeps(options);
  const server = createKeystoreServer({
    keys,
    hub,
    logger,
    serviceToken: options.serviceToken,
    adminToken: options.adminToken,
    managementResolvers: options.managementResolvers,
    dashboard,
    ready: () => storage.ping(),
    metrics,
    tracing: options.tracing,
  });
  hub.start();
  const stopMaintenance = startMaintenance({
    keys,
    store,
    logger,
    eventRetention: options.eventRetention,
    sessions: dashboard.sessions,
    failures: { store: storage.failures, clock, horizonMs: LOCK_WINDOW_MS },
  });

  return {
    server,
    keys,
    hub,
    login: dashboard.login,
    metrics,
    close: () =>
      new Promise<void>((resolve) => {
        stopMaintenance();
        server.close(() => resolve());
        hub.stop();
        server.closeIdleConnections();
      }),
  };
}

function dashboardDeps(options: KeystoreAppOptions): DashboardDeps {
  const { clock, storage } = options;
  const accounts = storage.accounts;
  const sessions = new SessionService({
    store: accounts,
    clock,
    ttlMs: options.sessionTtlMs ?? 12 * 60 * MINUTE,
    idleMs: options.sessionIdleMs ?? 30 * MINUTE,
  });
  // Per email: 5 misses in 15 min lock it for 15 min. Per address looser, since offices share one.
  // Counted in the database: one count for every replica.
  const policy = { clock, store: storage.failures, windowMs: LOCK_WINDOW_MS, lockMs: LOCK_WINDOW_MS };
  const byEmail = new FailureThrottle({ ...policy, maxFailures: 5 });
  const byAddress = new FailureThrottle({ ...policy, maxFailures: 20 });
  const login = new LoginService({
    accounts,
    sessions,
    clock,
    byEmail,
    byAddress,
    passwords: options.passwords ?? new ScryptHasher(),
    checks: new ConcurrencyGate(options.loginCheckConcurrency ?? LOGIN_CHECK_CONCURRENCY),
  });
  return { accounts, sessions, login, clock, origin: requestOrigin({ trustedProxies: options.trustedProxies ?? [] }) };
}
