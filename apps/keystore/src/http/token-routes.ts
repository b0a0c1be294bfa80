import type { IncomingMessage } from 'node:http';
import { HttpError } from '@routemcp/errors';
import type { AccountStore, AuditAction } from '../accounts/account-store.ts';
import type { Clock } from '../clock.ts';
import { parseInput } from '../keys/key-input.ts';
import type { KeyService } from '../keys/key-service.ts';
import { mayMint, mintManagementToken, newTokenId, type ManagementTokenRecord } from '../tokens/management-token.ts';
import { createTokenSchema, listTokensQuerySchema } from '../tokens/token-input.ts';
import { toTokenView } from '../tokens/token-view.ts';
import { actorName } from './key-audit.ts';
import { accountScope } from './management-routes.ts';
import type { Principal } from './principal.ts';
import { readJson } from './read-json.ts';
import type { RequestOrigin } from './request-origin.ts';
import type { Route } from './router.ts';

export interface TokenRouteDeps {
  accounts: AccountStore;
  keys: Pick<KeyService, 'defaultAccountId' | 'hasAccount'>;
  clock: Clock;
  origin: RequestOrigin;
}

/**
 * Named management tokens (issue 23): `POST /v1/tokens`, `GET /v1/tokens`,
 * `POST /v1/tokens/:id/revoke`. Minting and revoking need `tokens.write`
 * (owners); the list needs `members.read`, as a token is automation's seat in
 * the team and every member may see who holds one (never the token itself).
 */
export function tokenRoutes(deps: TokenRouteDeps): Route[] {
  const audit = (
    req: IncomingMessage,
    principal: Principal | undefined,
    action: AuditAction,
    t: ManagementTokenRecord,
  ) =>
    deps.accounts.appendAudit({
      accountId: t.accountId,
      actor: actorName(principal),
      action,
      target: t.id,
      address: deps.origin.address(req),
      at: deps.clock.now(),
    });

  return [
    {
      method: 'POST',
      pattern: '/v1/tokens',
      access: 'management',
      permission: 'tokens.write',
      async handle({ req, principal }) {
        const body = parseInput(createTokenSchema, (await readJson(req)) ?? {});
        const scope = accountScope(principal);
        // As POST /v1/keys: another account reads as one that does not exist.
        if (scope !== undefined && body.accountId !== undefined && body.accountId !== scope) {
          throw new HttpError('BAD_REQUEST', 'accountId: unknown account');
        }
        const accountId = scope ?? body.accountId ?? deps.keys.defaultAccountId;
        if (scope === undefined && !(await deps.keys.hasAccount(accountId))) {
          throw new HttpError('BAD_REQUEST', 'accountId: unknown account');
        }
        if ((principal?.kind === 'user' || principal?.kind === 'token') && !mayMint(principal.role, body.role)) {
          throw new HttpError('FORBIDDEN', 'A token cannot have a role above your own');
        }
        const { token, hash } = mintManagementToken();
        const record: ManagementTokenRecord = {
          id: newTokenId(),
          accountId,
          name: body.name,
          role: body.role,
          hash,
          createdBy: actorName(principal),
          createdAt: deps.clock.now(),
          lastUsedAt: null,
          revokedAt: null,
        };
        await deps.accounts.createManagementToken(record);
        await audit(req, principal, 'token.created', record);
        const { id, ...rest } = toTokenView(record);
        return { status: 201, data: { id, token, ...rest } };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/tokens',
      access: 'management',
      permission: 'members.read',
      async handle({ url, principal }) {
        const query = parseInput(listTokensQuerySchema, Object.fromEntries(url.searchParams));
        const scope = accountScope(principal);
        if (scope !== undefined && query.accountId !== undefined && query.accountId !== scope) {
          return { status: 200, data: [] };
        }
        const tokens = await deps.accounts.listManagementTokens(scope ?? query.accountId);
        return { status: 200, data: tokens.map(toTokenView) };
      },
    },
    {
      method: 'POST',
      pattern: '/v1/tokens/:id/revoke',
      access: 'management',
      permission: 'tokens.write',
      async handle({ req, params, principal }) {
        const found = params.id === undefined ? undefined : await deps.accounts.getManagementToken(params.id);
        const scope = accountScope(principal);
        if (found === undefined || (scope !== undefined && found.accountId !== scope)) {
          throw new HttpError('NOT_FOUND', 'Token not found');
        }
        // Revoking twice answers the same; only the first is an event.
        if (await deps.accounts.revokeManagementToken(found.id, deps.clock.now())) {
          await audit(req, principal, 'token.revoked', found);
        }
        const revoked = await deps.accounts.getManagementToken(found.id);
        return { status: 200, data: toTokenView(revoked ?? found) };
      },
    },
  ];
}
