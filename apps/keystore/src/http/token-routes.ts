import type { IncomingMessage } from 'node:http';
import { HttpError } from '@routemcp/errors';
import { parseInput } from '../keys/key-input.ts';
import { createTokenSchema, listTokensQuerySchema } from '../tokens/token-input.ts';
import { TokenService, type ChangeOrigin, type TokenServiceDeps } from '../tokens/token-service.ts';
import { toTokenView } from '../tokens/token-view.ts';
import { actorName } from './key-audit.ts';
import { accountScope } from './management-routes.ts';
import type { Principal } from './principal.ts';
import { readJson } from './read-json.ts';
import type { RequestOrigin } from './request-origin.ts';
import type { Route } from './router.ts';

/** The minter behind a management call: the operator, or a session or token of one account. */
export function changeOrigin(
  req: IncomingMessage,
  principal: Principal | undefined,
  origin: RequestOrigin,
): ChangeOrigin {
  const actor = actorName(principal);
  const address = origin.address(req);
  if (principal?.kind === 'user' || principal?.kind === 'token') {
    return { minter: { kind: 'member', actor, accountId: principal.accountId, role: principal.role }, address };
  }
  // Only the operator reaches a management route without an account (the server refuses everything else first).
  return { minter: { kind: 'operator', actor }, address };
}

/**
 * Named management tokens (issue 23): `POST /v1/tokens`, `GET /v1/tokens`,
 * `POST /v1/tokens/:id/revoke`. Minting and revoking need `tokens.write`
 * (owners); the list needs `members.read`, as a token is automation's seat in
 * the team and every member may see who holds one (never the token itself).
 */
export function tokenRoutes(deps: TokenServiceDeps & { origin: RequestOrigin }): Route[] {
  const tokens = new TokenService(deps);
  return [
    {
      method: 'POST',
      pattern: '/v1/tokens',
      access: 'management',
      permission: 'tokens.write',
      async handle({ req, principal }) {
        const body = parseInput(createTokenSchema, (await readJson(req)) ?? {});
        const result = await tokens.mint(body, changeOrigin(req, principal, deps.origin));
        if (!result.ok) {
          if (result.reason === 'role_too_high')
            throw new HttpError('FORBIDDEN', 'A token cannot have a role above your own');
          throw new HttpError('BAD_REQUEST', 'accountId: unknown account');
        }
        const { id, ...rest } = toTokenView(result.record);
        return { status: 201, data: { id, token: result.token, ...rest } };
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
        return { status: 200, data: (await tokens.list(scope ?? query.accountId)).map(toTokenView) };
      },
    },
    {
      method: 'POST',
      pattern: '/v1/tokens/:id/revoke',
      access: 'management',
      permission: 'tokens.write',
      async handle({ req, params, principal }) {
        const result = await tokens.revoke(params.id ?? '', changeOrigin(req, principal, deps.origin));
        if (!result.ok) throw new HttpError('NOT_FOUND', 'Token not found');
        return { status: 200, data: toTokenView(result.record) };
      },
    },
  ];
}
