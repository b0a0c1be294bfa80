import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { HttpError, rawErrorResponse, writeError } from '@routemcp/errors';
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import { buildFixtures } from './contacts/fixtures.ts';
import type { ContactFixtures } from './contacts/list-contacts.ts';
import { logRequest } from './request-log.ts';
import { resolveRoute } from './router.ts';
import { createContactsHandler } from './routes/contacts.ts';
import { createEchoHandler } from './routes/echo.ts';
import { health } from './routes/health.ts';
import type { Route } from './routes/route.ts';
import { whoami } from './routes/whoami.ts';

export interface ApiServerOptions {
  logger: Logger;
  clock: Clock;
  fixtures?: ContactFixtures;
  maxEchoBytes?: number;
}

function buildRoutes(options: ApiServerOptions): Map<string, Route> {
  const contacts = createContactsHandler(options.fixtures ?? buildFixtures());
  return new Map<string, Route>([
    ['/healthz', { GET: health }],
    // The public docs use both spellings.
    ['/api/v1/contacts', { GET: contacts }],
    ['/api/v1/contact', { GET: contacts }],
    ['/api/v1/whoami', { GET: whoami }],
    // Any method, so proxy tests can check that methods pass through unchanged.
    ['/api/v1/echo', { '*': createEchoHandler({ maxBytes: options.maxEchoBytes }) }],
  ]);
}

/**
 * The contacts API: an ordinary upstream that never looks at credentials.
 * Not listening yet; `main.ts` picks the address.
 */
export function createApiServer(options: ApiServerOptions): Server {
  const { logger, clock } = options;
  const routes = buildRoutes(options);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://api.invalid');
    } catch {
      throw new HttpError('BAD_REQUEST', 'Malformed request target');
    }
    const route = resolveRoute(routes, req.method ?? 'GET', url.pathname);
    if (route.ok) return route.handler(req, res, url);
    if (route.reason === 'not-found') writeError(res, 'NOT_FOUND');
    else writeError(res, 'METHOD_NOT_ALLOWED', { headers: { allow: route.allow } });
  }

  const server = createServer({ requestTimeout: 60_000, headersTimeout: 10_000 }, (req, res) => {
    logRequest(logger, clock, req, res);
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        writeError(res, error.code, { message: error.message });
        return;
      }
      if (req.destroyed && !res.headersSent) return;
      logger.error({ err: error, path: (req.url ?? '/').split('?', 1)[0] }, 'unhandled error');
      if (!writeError(res, 'INTERNAL_ERROR')) res.destroy();
    });
  });
  // Longer than any sane proxy keep-alive, so the proxy never reuses a socket we are closing.
  server.keepAliveTimeout = 65_000;
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const code = error.code === 'HPE_HEADER_OVERFLOW' ? 'HEADERS_TOO_LARGE' : 'BAD_REQUEST';
    socket.end(rawErrorResponse(code));
  });
  return server;
}
