import { z } from 'zod';
import { HttpError } from '@routemcp/errors';
import type { EventHub } from '../events/event-hub.ts';
import { parseInput } from '../keys/key-input.ts';
import type { KeyService } from '../keys/key-service.ts';
import { readJson } from './read-json.ts';
import type { Route } from './router.ts';

const SHA256_HEX = /^[0-9a-f]{64}$/;
const MAX_USAGE_ENTRIES = 10_000;

const count = z.number({ error: 'expected a non-negative integer' }).int().min(0).max(Number.MAX_SAFE_INTEGER);
const usageSchema = z.strictObject({
  entries: z
    .array(
      z.strictObject({
        keyId: z.string({ error: 'expected a key id' }).min(1).max(64),
        requests: count,
        rateLimited: count,
        lastUsedAt: z.iso.datetime({ offset: true, error: 'expected an ISO-8601 time' }),
      }),
      { error: 'expected an array' },
    )
    .max(MAX_USAGE_ENTRIES, { error: `expected at most ${MAX_USAGE_ENTRIES} entries` }),
});

export interface InternalRoutesDeps {
  keys: KeyService;
  hub: EventHub;
}

/** The proxy-facing API: docs/internal-api.md. */
export function internalRoutes({ keys, hub }: InternalRoutesDeps): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/internal/v1/keys/:hash',
      access: 'service',
      handle({ params }) {
        const keyHash = params.hash ?? '';
        if (!SHA256_HEX.test(keyHash)) throw new HttpError('BAD_REQUEST', 'hash: expected 64 lowercase hex characters');
        const key = keys.findByHash(keyHash);
        if (key === undefined) throw new HttpError('NOT_FOUND', 'Key not found');
        return {
          status: 200,
          data: {
            id: key.id,
            accountId: key.accountId,
            environment: key.environment,
            status: key.revokedAt === null ? 'active' : 'revoked',
            expiresAt: key.expiresAt === null ? null : new Date(key.expiresAt).toISOString(),
            rateLimit: key.rateLimit,
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: '/internal/v1/events',
      access: 'service',
      handle({ req, res, url }) {
        const header = req.headers['last-event-id'];
        hub.open(req, res, typeof header === 'string' ? header : (url.searchParams.get('lastEventId') ?? undefined));
        return 'handled';
      },
    },
    {
      method: 'POST',
      pattern: '/internal/v1/usage',
      access: 'service',
      async handle({ req }) {
        const body = parseInput(usageSchema, (await readJson(req, 2 * 1024 * 1024)) ?? {});
        const recorded = keys.recordUsage(
          body.entries.map((entry) => ({ ...entry, lastUsedAt: Date.parse(entry.lastUsedAt) })),
        );
        return { status: 202, data: { recorded } };
      },
    },
  ];
}
