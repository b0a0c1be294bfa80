import { errorBody, errorCatalog, type ErrorCode } from '@routemcp/errors';
import { fastifyHttpProxy } from '@fastify/http-proxy';
import { fastifyRateLimit } from '@fastify/rate-limit';
import { fastify, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import { bearerKey, cachedKeyLookup, type CachedKeyLookupOptions, type KeyRecord } from './cached-key-lookup.ts';

export interface FastifyGatewayOptions extends CachedKeyLookupOptions {
  upstreamUrl: string;
  /** An ioredis client: the one store @fastify/rate-limit takes (its README). */
  redis: Redis;
}

declare module 'fastify' {
  interface FastifyRequest {
    key: KeyRecord | null;
  }
}

function refuse(reply: FastifyReply, code: ErrorCode): FastifyReply {
  return reply.code(errorCatalog[code].statusCode).type('application/json; charset=utf-8').send(errorBody(code));
}

/**
 * The peer for scenario (fastify): the gateway a competent user would write with
 * fastify from each plugin's README — @fastify/http-proxy (reply-from over
 * undici, keep-alive), @fastify/rate-limit on Redis keyed by the key's id
 * after authentication (its `hook: 'preHandler'` example), and the same
 * SHA-256 `Map` key cache and identity headers as (naive). No logging. Never used
 * by the product.
 */
export async function createFastifyGateway(options: FastifyGatewayOptions): Promise<FastifyInstance> {
  const lookup = cachedKeyLookup(options);
  const app = fastify({ logger: false });
  app.get('/healthz', async () => ({ success: true, data: { status: 'ok' } }));
  // Encapsulated, so /healthz above needs no key.
  await app.register(async (gateway) => {
    gateway.decorateRequest('key', null);
    gateway.addHook('onRequest', async (request, reply) => {
      const key = bearerKey(request.headers.authorization);
      if (key === null) return refuse(reply, 'INVALID_API_KEY');
      const record = await lookup(key).catch(() => undefined);
      if (record === undefined) return refuse(reply, 'AUTH_UNAVAILABLE');
      if (record === null || record.status !== 'active') return refuse(reply, 'INVALID_API_KEY');
      request.key = record;
    });
    await gateway.register(fastifyRateLimit, {
      redis: options.redis,
      hook: 'preHandler',
      timeWindow: 60_000,
      max: async (request) => request.key?.rateLimit?.capacity ?? 100,
      keyGenerator: (request) => request.key?.id ?? request.ip,
      enableDraftSpec: true,
    });
    await gateway.register(fastifyHttpProxy, {
      upstream: options.upstreamUrl,
      replyOptions: {
        rewriteRequestHeaders: (request, headers) => {
          const { authorization: _, ...rest } = headers;
          const key = request.key as KeyRecord;
          return {
            ...rest,
            'x-forwarded-for': request.ip,
            'x-routemcp-key-id': key.id,
            'x-routemcp-account-id': key.accountId,
            'x-routemcp-environment': key.environment,
          };
        },
      },
    });
  });
  return app;
}
