import { createHash } from 'node:crypto';
import { Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { writeError } from '@routemcp/errors';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { RedisStore, type RedisReply } from 'rate-limit-redis';

/** What the keystore's internal lookup returns (docs/internal-api.md). */
interface KeyRecord {
  id: string;
  accountId: string;
  environment: 'live' | 'test';
  status: 'active' | 'revoked';
  rateLimit: { capacity: number; refillPerSecond: number } | null;
}

export interface NaiveGatewayOptions {
  upstreamUrl: string;
  keystoreUrl: string;
  serviceToken: string;
  /** node-redis `sendCommand`, as rate-limit-redis's README wires it. */
  sendCommand: (args: string[]) => Promise<RedisReply>;
  cacheTtlMs?: number;
  cacheMaxKeys?: number;
  now?: () => number;
}

/**
 * The comparison baseline for scenario (c): the gateway most teams would
 * write first, from the README of each package — Express, an in-process Map
 * as a key cache in front of the keystore, express-rate-limit on
 * rate-limit-redis, http-proxy-middleware. Kept fair: keep-alive to the
 * upstream (its absence alone costs ~3×) and no logging. Never used by the
 * product.
 */
export function createNaiveGateway(options: NaiveGatewayOptions): Express {
  const now = options.now ?? Date.now;
  const ttlMs = options.cacheTtlMs ?? 30_000;
  const maxKeys = options.cacheMaxKeys ?? 100_000;
  const cache = new Map<string, { record: KeyRecord | null; expiresAt: number }>();

  async function lookup(keyHash: string): Promise<KeyRecord | null> {
    const cached = cache.get(keyHash);
    if (cached && cached.expiresAt > now()) return cached.record;
    const res = await fetch(`${options.keystoreUrl}/internal/v1/keys/${keyHash}`, {
      headers: { authorization: `Bearer ${options.serviceToken}` },
    });
    const record = res.status === 200 ? ((await res.json()) as { data: KeyRecord }).data : null;
    if (res.status !== 200) await res.arrayBuffer();
    if (cache.size >= maxKeys) cache.delete(cache.keys().next().value as string);
    cache.set(keyHash, { record, expiresAt: now() + ttlMs });
    return record;
  }

  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => void res.json({ success: true, data: { status: 'ok' } }));

  app.use(async (req: Request, res: Response, next: NextFunction) => {
    const match = /^Bearer (sk_(?:live|test)_\w+)$/.exec(req.get('authorization') ?? '');
    if (!match) return void writeError(res, 'INVALID_API_KEY');
    try {
      const record = await lookup(
        createHash('sha256')
          .update(match[1] as string)
          .digest('hex'),
      );
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
