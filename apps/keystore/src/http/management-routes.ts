import { HttpError } from '@routemcp/errors';
import type { KeyRecord } from '../keys/key-record.ts';
import { toKeyView } from '../keys/key-record.ts';
import {
  createKeySchema,
  futureTime,
  listQuerySchema,
  parseInput,
  patchKeySchema,
  rollKeySchema,
} from '../keys/key-input.ts';
import type { IssuedKey, KeyService } from '../keys/key-service.ts';
import { readJson } from './read-json.ts';
import type { Route, RouteContext } from './router.ts';

/** The management API (BRIEF "Keystore HTTP contract"). */
export function managementRoutes(keys: KeyService): Route[] {
  const found = (id: string | undefined): KeyRecord => {
    const key = id === undefined ? undefined : keys.get(id);
    if (key === undefined) throw new HttpError('NOT_FOUND', 'Key not found');
    return key;
  };
  const view = (key: KeyRecord) => toKeyView(key, keys.now());
  // The only two answers that ever carry the key itself.
  const issued = ({ key, record }: IssuedKey) => {
    const { id, ...rest } = view(record);
    return { id, key, ...rest };
  };

  return [
    {
      method: 'POST',
      pattern: '/v1/keys',
      access: 'management',
      async handle({ req, principal }: RouteContext) {
        const body = parseInput(createKeySchema, (await readJson(req)) ?? {});
        const result = keys.create(
          {
            environment: body.environment,
            name: body.name ?? null,
            accountId: body.accountId,
            rateLimit: body.rateLimit ?? null,
            expiresAt: futureTime(body.expiresAt, keys.now(), 'expiresAt'),
          },
          { createAccount: principal?.kind === 'operator' },
        );
        if (!result.ok) throw new HttpError('BAD_REQUEST', 'accountId: unknown account');
        return { status: 201, data: issued(result.issued) };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/keys',
      access: 'management',
      handle({ url }) {
        const filter = parseInput(listQuerySchema, Object.fromEntries(url.searchParams));
        return { status: 200, data: keys.list(filter).map(view) };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/keys/:id',
      access: 'management',
      handle: ({ params }) => ({ status: 200, data: view(found(params.id)) }),
    },
    {
      method: 'PATCH',
      pattern: '/v1/keys/:id',
      access: 'management',
      async handle({ req, params }) {
        const patch = parseInput(patchKeySchema, (await readJson(req)) ?? {});
        const updated = keys.update(found(params.id).id, patch);
        if (updated === undefined) throw new HttpError('NOT_FOUND', 'Key not found');
        return { status: 200, data: view(updated) };
      },
    },
    {
      method: 'POST',
      pattern: '/v1/keys/:id/revoke',
      access: 'management',
      handle({ params }) {
        const revoked = keys.revoke(found(params.id).id);
        if (revoked === undefined) throw new HttpError('NOT_FOUND', 'Key not found');
        return { status: 200, data: view(revoked) };
      },
    },
    {
      method: 'POST',
      pattern: '/v1/keys/:id/roll',
      access: 'management',
      async handle({ req, params }) {
        const body = parseInput(rollKeySchema, (await readJson(req)) ?? {});
        const result = keys.roll(found(params.id).id, body.gracePeriodSeconds ?? 0);
        if (!result.ok) {
          if (result.reason === 'revoked') throw new HttpError('CONFLICT', 'A revoked key cannot be rolled');
          throw new HttpError('NOT_FOUND', 'Key not found');
        }
        return { status: 201, data: issued(result.issued) };
      },
    },
  ];
}
