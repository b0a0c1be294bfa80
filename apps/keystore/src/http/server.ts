import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Tracing } from '@routemcp/tracing';
import type { Logger } from 'pino';
import { HttpError, writeError, writeSuccess } from '@routemcp/errors';
import type { DashboardDeps } from '../dashboard/dashboard-deps.ts';
import { dashboardRoutes } from '../dashboard/dashboard-routes.ts';
import type { EventHub } from '../events/event-hub.ts';
import type { KeyService } from '../keys/key-service.ts';
import { auditRoutes } from './audit-routes.ts';
import type { GithubPublicKeys } from '../leaks/github-public-keys.ts';
import { leakRoutes } from '../leaks/leak-routes.ts';
import type { LeakService } from '../leaks/leak-service.ts';
import { CSRF_HEADER, isSafeMethod, sameOrigin, tokensMatch } from './csrf.ts';
import { internalRoutes } from './internal-routes.ts';
import { StorageUnavailableError } from '../store/storage-error.ts';
import { keyAuditor, noAudit } from './key-audit.ts';
import { noWebhookAudit, webhookAuditor } from './webhook-audit.ts';
import { webhookRoutes } from './webhook-routes.ts';
import type { WebhookService } from '../webhooks/webhook-service.ts';
import { answersWithin, type KeystoreMetrics } from '../metrics.ts';
import { managementRoutes } from './management-routes.ts';
import { openApiRoute } from '../openapi/openapi-route.ts';
import {
  bearerTokenResolver,
  principalCan,
  resolvePrincipal,
  type Principal,
  type PrincipalResolver,
} from './principal.ts';
import { traceRequest } from './request-span.ts';
import { Router, type Access, type Match, type Route, type RouteResult } from './router.ts';
import { sessionResolver } from './session-resolver.ts';
import { managementTokenResolver } from './token-resolver.ts';
import { tokenRoutes } from './token-routes.ts';

export interface KeystoreServerDeps {
  keys: KeyService;
  hub: EventHub;
  logger: Logger;
  serviceToken: string;
  /** Unset: the management API answers 401 to everyone until a session resolver is added. */
  adminToken?: string | undefined;
  /** Extra management credentials (the dashboard's session cookie), tried after the admin token. */
  managementResolvers?: readonly PrincipalResolver[];
  /** Accounts, sessions and the web UI; unset: a headless keystore (API only). */
  dashboard?: DashboardDeps;
  /** Resolves when the database answers; unset: always ready. */
  ready?: () => Promise<void>;
  /** Counts every answer and serves `GET /metrics`; unset: no `/metrics` route. */
  metrics?: KeystoreMetrics;
  /** Leak reports (`POST /v1/leaks`, `POST /v1/leaks/github`); unset: no such routes. */
  leaks?: { service: LeakService; githubKeys: GithubPublicKeys };
  /** `/v1/webhooks*` (and the dashboard's Webhooks page); unset: no webhook routes. */
  webhooks?: WebhookService;
  /** OpenTelemetry, when an endpoint is set: a SERVER span per request. */
  tracing?: Tracing | undefined;
}

const healthz: Route = {
  method: 'GET',
  pattern: '/healthz',
  access: 'public',
  handle: () => ({ status: 200, data: { status: 'ok' } }),
};

const READY_TIMEOUT_MS = 2000;

/** 200 while the database answers, a 503 envelope while it does not: a load balancer stops sending here meanwhile. */
function readyz(ready: () => Promise<void>): Route {
  return {
    method: 'GET',
    pattern: '/readyz',
    access: 'public',
    async handle() {
      if (!(await answersWithin(ready, READY_TIMEOUT_MS)))
        throw new HttpError('SERVICE_UNAVAILABLE', 'Database unavailable');
      return { status: 200, data: { status: 'ready' } };
    },
  };
}

/** Prometheus text: public like /healthz (no key, hash, id or email in any label); restrict it by network. */
function metricsRoute(metrics: KeystoreMetrics): Route {
  return {
    method: 'GET',
    pattern: '/metrics',
    access: 'public',
    async handle({ res }): Promise<RouteResult> {
      const text = await metrics.registry.metrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
      res.end(text);
      return 'handled';
    },
  };
}

/** Every route the server answers (the OpenAPI test reads the management ones from here). */
export function keystoreRoutes(deps: KeystoreServerDeps): Route[] {
  const { dashboard } = deps;
  const audit = dashboard === undefined ? noAudit : keyAuditor(dashboard);
  const webhookAudit = dashboard === undefined ? noWebhookAudit : webhookAuditor(dashboard);
  const { webhooks } = deps;
  return [
    healthz,
    readyz(deps.ready ?? (async () => {})),
    ...(deps.metrics === undefined ? [] : [metricsRoute(deps.metrics)]),
    openApiRoute(),
    ...managementRoutes(deps.keys, audit),
    ...(dashboard === undefined ? [] : auditRoutes(dashboard.accounts)),
    ...(dashboard === undefined ? [] : tokenRoutes({ ...dashboard, keys: deps.keys })),
    ...(deps.leaks === undefined
      ? []
      : leakRoutes({ leaks: deps.leaks.service, githubKeys: deps.leaks.githubKeys, audit })),
    ...(webhooks === undefined ? [] : webhookRoutes({ webhooks, keys: deps.keys, audit: webhookAudit })),
    ...internalRoutes(deps),
    ...(dashboard === undefined
      ? []
      : dashboardRoutes({ ...dashboard, keys: deps.keys, audit, webhooks, webhookAudit })),
  ];
}

export function createKeystoreServer(
  deps: KeystoreServerDeps,
  routes: readonly Route[] = keystoreRoutes(deps),
): Server {
  const { dashboard } = deps;
  const router = new Router(routes);
  const resolvers: Record<Exclude<Access, 'public'>, readonly PrincipalResolver[]> = {
    management: [
      ...(deps.adminToken === undefined ? [] : [bearerTokenResolver(deps.adminToken, { kind: 'operator' })]),
      // A credential sent on purpose (a header) before the one a browser attaches on its own (the cookie).
      ...(dashboard === undefined
        ? []
        : [managementTokenResolver({ tokens: dashboard.accounts, clock: dashboard.clock })]),
      ...(dashboard === undefined ? [] : [sessionResolver(dashboard.sessions)]),
      ...(deps.managementResolvers ?? []),
    ],
    service: [bearerTokenResolver(deps.serviceToken, { kind: 'service' })],
  };

  async function dispatch(req: IncomingMessage, res: ServerResponse, url: URL, match: Match): Promise<void> {
    if (match.kind === 'not_found') throw new HttpError('NOT_FOUND');
    if (match.kind === 'method_not_allowed') {
      res.setHeader('allow', match.allow.join(', '));
      throw new HttpError('METHOD_NOT_ALLOWED');
    }
    const { route, params } = match;
    let principal: Principal | undefined;
    if (route.access !== 'public') {
      principal = await resolvePrincipal(resolvers[route.access], req);
      if (principal === undefined) {
        res.setHeader('www-authenticate', 'Bearer');
        throw new HttpError('UNAUTHORIZED');
      }
      // A cookie rides along on cross-site requests; a token in a header cannot.
      if (principal.kind === 'user' && !isSafeMethod(req.method)) {
        const presented = req.headers[CSRF_HEADER];
        const token = typeof presented === 'string' ? presented : undefined;
        if (!sameOrigin(req) || !tokensMatch(token, principal.csrfToken)) {
          throw new HttpError('FORBIDDEN', 'Missing or invalid CSRF token');
        }
      }
      if (route.permission !== undefined && !principalCan(principal, route.permission)) {
        throw new HttpError('FORBIDDEN', 'Your role does not allow this');
      }
    }
    const result: RouteResult = await route.handle({ req, res, url, params, principal });
    if (result !== 'handled') writeSuccess(res, result.data, { statusCode: result.status, headers: NO_STORE });
  }

  return createServer((req, res) => {
    const started = performance.now();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://keystore');
    } catch {
      writeError(res, 'BAD_REQUEST');
      return;
    }
    const match = router.match(req.method ?? 'GET', url.pathname);
    // The pattern, not the raw path: whatever a client puts in a URL stays out of the logs.
    const route = match.kind === 'found' ? match.route.pattern : '(unmatched)';
    res.on('close', () => {
      const elapsed = performance.now() - started;
      const ms = Math.round(elapsed * 10) / 10;
      deps.logger.info({ method: req.method, route, status: res.statusCode, ms }, 'request');
      deps.metrics?.request(route, req.method ?? 'GET', res.statusCode, elapsed / 1000);
    });
    const run = () =>
      void dispatch(req, res, url, match).catch((error: unknown) => answerError(deps.logger, req, res, error));
    if (deps.tracing === undefined) run();
    else
      traceRequest(
        deps.tracing,
        req,
        res,
        { pattern: route, pathname: match.kind === 'found' ? url.pathname : route },
        run,
      );
  });
}

const NO_STORE = { 'cache-control': 'no-store' };

/** The one edge handler: ours → its envelope; anything else → logged, 500. */
function answerError(logger: Logger, req: IncomingMessage, res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    logger.error({ err: error }, 'error after response started');
    res.destroy();
    return;
  }
  // An unread body would be parsed as the next request; drop the connection instead.
  const headers = req.complete ? {} : { connection: 'close' };
  if (error instanceof HttpError) {
    writeError(res, error.code, { message: error.message, headers });
    return;
  }
  if (error instanceof StorageUnavailableError) {
    logger.warn({ err: error }, 'database unavailable');
    writeError(res, 'SERVICE_UNAVAILABLE', { message: 'Database unavailable', headers });
    return;
  }
  logger.error({ err: error }, 'unhandled error');
  writeError(res, 'INTERNAL_ERROR', { headers });
}
