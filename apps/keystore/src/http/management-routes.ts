import { HttpError } from '@routemcp/errors';
import type { StoredKey } from '../keys/key-record.ts';
import { toKeyDetail, toKeyView } from '../keys/key-view.ts';
import {
  createKeySchema,
  futureTime,
  listQuerySchema,
  parseInput,
  patchKeySchema,
  rollKeySchema,
} from '../keys/key-input.ts';
import type { IssuedKey, KeyService } from '../keys/key-service.ts';
import { actorName, noAudit, type KeyAuditor } from './key-audit.ts';
import type { Principal } from './principal.ts';
import { readJson } from './read-json.ts';
import type { Route, RouteContext } from './router.ts';

/** The account a principal is confined to; undefined: every account (the operator). */
export function accountScope(principal: Principal | undefined): string | undefined {
  return principal?.kind === 'user' || principal?.kind === 'token' ? principal.accountId : undefined;
}

/** The key, when it exists and the principal may see it; another account's key is "not found", not "forbidden". */
export async function visibleKey(
  keys: KeyService,
  id: string | undefined,
  principal: Principal | undefined,
): Promise<StoredKey> {
  const key = id === undefined ? undefined : await keys.get(id);
  const scope = accountScope(principal);
  if (key === undefined || (scope !== undefined && key.accountId !== scope)) {
    throw new HttpError('NOT_FOUND', 'Key not found');
  }
  return key;
}

/** The management API (BRIEF "Keystore HTTP contract"). */
export function managementRoutes(keys: KeyService, audit: KeyAuditor = noAudit): Route[] {
  const view = (key: StoredKey) => toKeyView(key, keys.now());
  const detail = async (key: StoredKey) => toKeyDetail(key, await keys.quotaUsage(key), keys.now());
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
      permission: 'keys.write',
      async handle({ req, principal }: RouteContext) {
        const body = parseInput(createKeySchema, (await readJson(req)) ?? {});
        const scope = accountScope(principal);
        // Same answer as for an account that does not exist: a session learns nothing about others.
        if (scope !== undefined && body.accountId !== undefined && body.accountId !== scope) {
          throw new HttpError('BAD_REQUEST', 'accountId: unknown account');
        }
        const { accountId, expiresAt, ...settings } = body;
        const result = await keys.create(
          {
            ...settings,
            accountId: scope ?? accountId,
            expiresAt: futureTime(expiresAt, keys.now(), 'expiresAt'),
          },
          { createAccount: principal?.kind === 'operator', actor: actorName(principal) },
        );
        if (!result.ok) {
          throw new HttpError(
            'BAD_REQUEST',
            result.reason === 'invalid' ? result.message : 'accountId: unknown account',
          );
        }
        await audit(req, principal, 'key.created', result.issued.record);
        return { status: 201, data: issued(result.issued) };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/keys',
      access: 'management',
      permission: 'keys.read',
      async handle({ url, principal }) {
        const filter = parseInput(listQuerySchema, Object.fromEntries(url.searchParams));
        const scope = accountScope(principal);
        if (scope !== undefined && filter.accountId !== undefined && filter.accountId !== scope) {
          return { status: 200, data: [] };
        }
        return { status: 200, data: (await keys.list({ ...filter, accountId: scope ?? filter.accountId })).map(view) };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/keys/:id',
      access: 'management',
      permission: 'keys.read',
      handle: async ({ params, principal }) => ({
        status: 200,
        data: await detail(await visibleKey(keys, params.id, principal)),
      }),
    },
    {
      method: 'PATCH',
      pattern: '/v1/keys/:id',
      access: 'management',
      permission: 'keys.write',
      async handle({ req, params, principal }) {
        const patch = parseInput(patchKeySchema, (await readJson(req)) ?? {});
        const result = await keys.update(
          (await visibleKey(keys, params.id, principal)).id,
          patch,
          actorName(principal),
        );
        if (!result.ok) {
          if (result.reason === 'invalid') throw new HttpError('BAD_REQUEST', result.message);
          throw new HttpError('NOT_FOUND', 'Key not found');
        }
        await audit(req, principal, 'key.updated', result.key);
        return { status: 200, data: await detail(result.key) };
      },
    },
    {
      method: 'POST',
      pattern: '/v1/keys/:id/revoke',
      access: 'management',
      permission: 'keys.write',
      async handle({ req, params, principal }) {
        const key = await visibleKey(keys, params.id, principal);
        const revoked = await keys.revoke(key.id, actorName(principal));
        if (revoked === undefined) throw new HttpError('NOT_FOUND', 'Key not found');
        if (key.revokedAt === null) await audit(req, principal, 'key.revoked', revoked);
        return { status: 200, data: view(revoked) };
      },
    },
    {
      method: 'POST',
      pattern: '/v1/keys/:id/roll',
      access: 'management',
      permission: 'keys.write',
      async handle({ req, params, principal }) {
        const body = parseInput(rollKeySchema, (await readJson(req)) ?? {});
        const result = await keys.roll(
          (await visibleKey(keys, params.id, principal)).id,
          body.gracePeriodSeconds ?? 0,
          actorName(principal),
        );
        if (!result.ok) {
          if (result.reason === 'revoked') throw new HttpError('CONFLICT', 'A revoked key cannot be rolled');
          if (result.reason === 'expired') throw new HttpError('CONFLICT', 'An expired key cannot be rolled');
          throw new HttpError('NOT_FOUND', 'Key not found');
        }
        await audit(req, principal, 'key.rolled', result.old);
        await audit(req, principal, 'key.created', result.issued.record);
        return { status: 201, data: issued(result.issued) };
      },
    },
  ];
}
