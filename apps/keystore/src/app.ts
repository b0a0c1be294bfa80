import { outsideTrace, type Tracing } from '@routemcp/tracing';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { ConcurrencyGate } from './accounts/concurrency-gate.ts';
import { FailureThrottle } from './accounts/failure-throttle.ts';
import { InvitationService } from './accounts/invitation-service.ts';
import { LoginService } from './accounts/login-service.ts';
import { MemberService } from './accounts/member-service.ts';
import { ScryptHasher, type PasswordHasher } from './accounts/password.ts';
import { SessionService } from './accounts/session-service.ts';
import { accountStoreSsoMembers } from './accounts/sso-members.ts';
import type { Clock } from './clock.ts';
import type { DatabaseTarget } from './config.ts';
import type { DashboardDeps } from './dashboard/dashboard-deps.ts';
import { EventHub } from './events/event-hub.ts';
import type { PrincipalResolver } from './http/principal.ts';
import { requestOrigin } from './http/request-origin.ts';
import type { Route } from './http/router.ts';
import { createKeystoreServer, keystoreRoutes, type KeystoreServerDeps } from './http/server.ts';
import { KeyService } from './keys/key-service.ts';
import { GithubPublicKeys } from './leaks/github-public-keys.ts';
import { DEFAULT_LEAK_POLICY, GITHUB_KEYS_URL, type LeakPolicy } from './leaks/leak-policy.ts';
import { LeakService } from './leaks/leak-service.ts';
import { startMaintenance } from './maintenance.ts';
import { KeystoreMetrics } from './metrics.ts';
import { FlowCookie } from './sso/flow-cookie.ts';
import type { OidcClient } from './sso/oidc-client.ts';
import type { OidcConfig } from './sso/oidc-config.ts';
import { SsoLogin } from './sso/sso-login.ts';
import type { Storage } from './store/storage.ts';
import { traceStorage } from './store/traced-storage.ts';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher.ts';
import { DELIVERY_RETENTION_MS, SYSTEM_ACTOR } from './webhooks/webhook-record.ts';
import { httpSender, type SendAttempt } from './webhooks/webhook-sender.ts';
import { WebhookService, type ResolveHost } from './webhooks/webhook-service.ts';

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
  /** What a leak report does per environment; unset: DEFAULT_LEAK_POLICY. */
  leakPolicy?: LeakPolicy;
  /** GitHub's secret-scanning keys (tests serve their own on loopback); unset: GitHub's. */
  githubKeysUrl?: string;
  /** The dashboard's external origin (KEYSTORE_PUBLIC_URL); unset: `http://localhost:<the port listened on>`. */
  publicUrl?: string;
  /** Single sign-on through this provider; unset: none. */
  sso?: { config: OidcConfig; client: OidcClient };
  /** False: the dashboard takes SSO logins only. Default true. */
  passwordLogin?: boolean;
  /** KEYSTORE_WEBHOOK_ALLOW_PRIVATE: receivers on loopback and private ranges (local stacks, tests). */
  webhookAllowPrivate?: boolean;
  /** Tests: the outbox's dispatch, to drive it by hand (`dispatch: false`) or on a shorter schedule. */
  webhookDelivery?: {
    dispatch?: boolean;
    send?: SendAttempt;
    schedule?: readonly number[];
    pollIntervalMs?: number;
    leaseMs?: number;
    timeoutMs?: number;
    resolve?: ResolveHost;
  };
  /** OpenTelemetry (main.ts starts it when an endpoint is set); absent: nothing traced. */
  tracing?: Tracing | undefined;
  /** Where `storage` is (KEYSTORE_DB / KEYSTORE_DATABASE_URL): what its database spans say; unset, only the engine. */
  database?: DatabaseTarget | undefined;
}

export interface KeystoreApp {
  server: Server;
  /** The storage as the app calls it: `options.storage` itself with tracing off, its traced view with it on. */
  storage: Storage;
  keys: KeyService;
  leaks: LeakService;
  githubKeys: GithubPublicKeys;
  hub: EventHub;
  login: LoginService;
  metrics: KeystoreMetrics;
  /** Every route the server answers, in match order (the role × route matrix test walks them). */
  routes: readonly Route[];
  webhooks: WebhookService;
  dispatcher: WebhookDispatcher;
  /** Stops accepting, ends event streams and timers. The store stays open: its owner closes it. */
  close(): Promise<void>;
}

/** Everything behind the listening socket, wired; started timers are unref'd. */
export function createKeystoreApp(given: KeystoreAppOptions): KeystoreApp {
  // Tracing on: every store call made for a request is a span. Off: the store itself, nothing in between.
  const options =
    given.tracing === undefined
      ? given
      : { ...given, storage: traceStorage(given.storage, given.tracing, given.database) };
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
  const delivery = options.webhookDelivery ?? {};
  const sender = httpSender({ allowPrivate: options.webhookAllowPrivate ?? false, timeoutMs: delivery.timeoutMs });
  const dashboard = dashboardDeps(options, () => server);
  const dispatcher: WebhookDispatcher = new WebhookDispatcher({
    store: storage.webhooks,
    send: delivery.send ?? sender.send,
    clock,
    logger,
    observer: metrics,
    schedule: delivery.schedule,
    pollIntervalMs: delivery.pollIntervalMs,
    leaseMs: delivery.leaseMs,
    onDisabled: (webhook) =>
      dashboard.accounts.appendAudit({
        accountId: webhook.accountId,
        actor: SYSTEM_ACTOR,
        action: 'webhook.disabled',
        target: webhook.id,
        address: null,
        at: clock.now(),
      }),
  });
  // Publishing a change and delivering its webhooks follow a request without being part of it: outside its trace.
  const followUp = (work: () => void) => (options.tracing === undefined ? work : outsideTrace(work));
  const changed = followUp(() => {
    hub.notify();
    dispatcher.wake();
  });
  const keys = new KeyService({ store, clock, onChange: changed });
  const webhooks = new WebhookService({
    store: storage.webhooks,
    clock,
    allowPrivate: options.webhookAllowPrivate ?? false,
    resolve: delivery.resolve,
    onDue: followUp(() => dispatcher.wake()),
  });
  const leaks = new LeakService({
    store,
    clock,
    policy: options.leakPolicy ?? DEFAULT_LEAK_POLICY,
    onChange: changed,
  });
  const githubKeys = new GithubPublicKeys({ url: options.githubKeysUrl ?? GITHUB_KEYS_URL, clock, logger });
  const serverDeps: KeystoreServerDeps = {
    keys,
    hub,
    logger,
    serviceToken: options.serviceToken,
    adminToken: options.adminToken,
    managementResolvers: options.managementResolvers,
    dashboard,
    ready: () => storage.ping(),
    metrics,
    leaks: { service: leaks, githubKeys },
    webhooks,
    tracing: options.tracing,
  };
  const routes = keystoreRoutes(serverDeps);
  const server: Server = createKeystoreServer(serverDeps, routes);
  hub.start();
  if (delivery.dispatch !== false) dispatcher.start();
  const stopMaintenance = startMaintenance({
    keys,
    store,
    logger,
    eventRetention: options.eventRetention,
    sessions: dashboard.sessions,
    failures: { store: storage.failures, clock, horizonMs: LOCK_WINDOW_MS },
    webhooks: { store: storage.webhooks, clock, retentionMs: DELIVERY_RETENTION_MS },
  });

  return {
    server,
    storage,
    keys,
    leaks,
    githubKeys,
    hub,
    login: dashboard.login,
    metrics,
    routes,
    webhooks,
    dispatcher,
    close: async () => {
      await new Promise<void>((resolve) => {
        stopMaintenance();
        server.close(() => resolve());
        hub.stop();
        server.closeIdleConnections();
      });
      // Attempts in flight end within the send timeout; what is left stays in the outbox for the next start.
      await dispatcher.stop();
      await sender.close();
    },
  };
}

function dashboardDeps(options: KeystoreAppOptions, server: () => Server): DashboardDeps {
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
  const passwords = options.passwords ?? new ScryptHasher();
  const login = new LoginService({
    accounts,
    sessions,
    clock,
    byEmail,
    byAddress,
    passwords,
    checks: new ConcurrencyGate(options.loginCheckConcurrency ?? LOGIN_CHECK_CONCURRENCY),
  });
  const sso =
    options.sso === undefined
      ? undefined
      : new SsoLogin({
          config: options.sso.config,
          client: options.sso.client,
          flows: new FlowCookie(options.sso.config.clientSecret),
          members: accountStoreSsoMembers(accounts, storage.keys.defaultAccountId),
          sessions,
          accounts,
          clock,
          accountId: storage.keys.defaultAccountId,
          logger: options.logger,
        });
  return {
    accounts,
    sessions,
    login,
    members: new MemberService({ accounts, passwords, clock, checks: byEmail }),
    invitations: new InvitationService({ accounts, sessions, passwords, clock }),
    clock,
    origin: requestOrigin({ trustedProxies: options.trustedProxies ?? [] }),
    publicUrl: () => options.publicUrl ?? listeningOrigin(server()),
    sso,
    passwordLogin: options.passwordLogin ?? true,
  };
}

/** `http://localhost:<port>`: the default public URL, from the port actually listened on (0 in tests). */
function listeningOrigin(server: Server): string {
  const address = server.address();
  return `http://localhost:${typeof address === 'object' && address !== null ? address.port : 0}`;
}
