import { Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { writeError } from '@routemcp/errors';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { bearerKey, cachedKeyLookup, type CachedKeyLookupOptions, type KeyRecord } from './cached-key-lookup.ts';

export interface NaiveGatewayOptions extends CachedKeyLookupOptions {
  upstreamUrl: string;
  /** node-redis `sendCommand`, as rate-limit-redis's README wires it. */
  sendCommand: (args: string[]) => Promise<RedisReply>;
}

/**
 * The comparison baseline for scenario (naive): the gateway most teams would
 * write first, from the README of each package — Express, an in-process Map
 * as a key cache in front of the keystore, express-rate-limit on
 * rate-limit-redis, http-proxy-middleware. Kept fair: keep-alive to the
 * upstream (its absence alone costs ~3×) and no logging. Never used by the
 * product.
 */
export function createNaiveGateway(options: NaiveGatewayOptions): Express {
  const lookup = cachedKeyLookup(options);

  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => void res.json({ success: true, data: { status: 'ok' } }));

  app.use(async (req: Request, res: Response, next: NextFunction) => {
    const key = bearerKey(req.get('authorization'));
    if (key === null) return void writeError(res, 'INVALID_API_KEY');
    try {
      const record = await lookup(key);
      if (!record || record.status !== 'active') return void writeError(res, 'INVALID_API_KEY');
      res.locals.key = record;
      next();
    } catch {
      writeError(res, 'AUTH_UNAVAILABLE');
    }
  });

  app.use(
    rateLimit({
      windowMs: 60_000,
      limit: (_req, res) => (res.locals.key as KeyRecord).rateLimit?.capacity ?? 100,
      keyGenerator: (_req, res) => (res.locals.key as KeyRecord).id,
      standardHeaders: 'draft-6',
      legacyHeaders: false,
      handler: (_req, res) => void writeError(res, 'RATE_LIMITED'),
      store: new RedisStore({ sendCommand: (...args: string[]) => options.sendCommand(args) }),
    }),
  );

  app.use(
    createProxyMiddleware<IncomingMessage, ServerResponse>({
      target: options.upstreamUrl,
      agent: new Agent({ keepAlive: true, maxSockets: 256 }),
      xfwd: true,
      on: {
        proxyReq: (proxyReq, _req, res) => {
          const record = (res as unknown as Response).locals.key as KeyRecord;
          proxyReq.removeHeader('authorization');
          proxyReq.setHeader('x-routemcp-key-id', record.id);
          proxyReq.setHeader('x-routemcp-account-id', record.accountId);
          proxyReq.setHeader('x-routemcp-environment', record.environment);
        },
        error: (_error, _req, res) => {
          if ('writeHead' in res) writeError(res, 'UPSTREAM_UNAVAILABLE');
          else res.destroy();
        },
      },
    }),
  );

  return app;
}
