import { HttpError } from '@routemcp/errors';
import { KEY_HASH, usageBatchSchema, type KeyLookup } from '@routemcp/internal-api';
import type { EventHub } from '../events/event-hub.ts';
import { parseInput } from '../keys/key-input.ts';
import type { StoredKey } from '../keys/key-record.ts';
import type { KeyService, QuotaUsage } from '../keys/key-service.ts';
import { readJson } from './read-json.ts';
import type { Route } from './router.ts';

export interface InternalRoutesDeps {
  keys: KeyService;
  hub: EventHub;
}

/** The lookup answer of the shared contract (@routemcp/internal-api): never the key, never its hash. */
export function toKeyLookup(key: StoredKey, usage: QuotaUsage | null): KeyLookup {
  return {
    id: key.id,
    accountId: key.accountId,
    environment: key.environment,
    status: key.revokedAt === null ? 'active' : 'revoked',
    expiresAt: key.expiresAt === null ? null : new Date(key.expiresAt).toISOString(),
    rateLimit: key.rateLimit,
    ownerId: key.ownerId,
    permissions: key.permissions,
    allowedIps: key.allowedIps,
    rateLimits: key.rateLimits,
    quota:
      key.quota === null || usage === null
        ? null
        : { ...key.quota, used: usage.used, periodStart: new Date(usage.periodStart).toISOString() },
    metadata: key.metadata,
  };
}

/** The proxy-facing API: docs/internal-api.md. */
export function internalRoutes({ keys, hub }: InternalRoutesDeps): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/internal/v1/keys/:hash',
      access: 'service',
      async handle({ params }) {
        const keyHash = params.hash ?? '';
        if (!KEY_HASH.test(keyHash)) throw new HttpError('BAD_REQUEST', 'hash: expected 64 lowercase hex characters');
        const key = await keys.findByHash(keyHash);
        if (key === undefined) throw new HttpError('NOT_FOUND', 'Key not found');
        return { status: 200, data: toKeyLookup(key, await keys.quotaUsage(key)) };
      },
    },
    {
      method: 'GET',
      pattern: '/internal/v1/events',
      access: 'service',
      async handle({ req, res, url }) {
        const header = req.headers['last-event-id'];
        await hub.open(
          req,
          res,
          typeof header === 'string' ? header : (url.searchParams.get('lastEventId') ?? undefined),
        );
        return 'handled' as const;
      },
    },
    {
      method: 'POST',
      pattern: '/internal/v1/usage',
      access: 'service',
      async handle({ req }) {
        const body = parseInput(usageBatchSchema, (await readJson(req, 2 * 1024 * 1024)) ?? {});
        const recorded = await keys.recordUsage(
          body.entries.map((entry) => ({
            ...entry,
            // An older proxy sends no `admitted`: everything it did not refuse went through.
            admitted: entry.admitted ?? Math.max(0, entry.requests - entry.rateLimited),
            lastUsedAt: Date.parse(entry.lastUsedAt),
          })),
        );
        return { status: 202, data: { recorded } };
      },
    },
  ];
}
