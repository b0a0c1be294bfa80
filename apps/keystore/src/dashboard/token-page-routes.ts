import type { IncomingMessage, ServerResponse } from 'node:http';
import { can, ROLES } from '../accounts/roles.ts';
import type { Route } from '../http/router.ts';
import type { KeyService } from '../keys/key-service.ts';
import { mayMint } from '../tokens/management-token.ts';
import { createTokenSchema } from '../tokens/token-input.ts';
import { TokenService, type ChangeOrigin } from '../tokens/token-service.ts';
import type { DashboardDeps } from './dashboard-deps.ts';
import { readCheckedForm, redirect, requireUser, sendHtml, viewerOf, type UserPrincipal } from './page-kit.ts';
import { errorPage } from './pages/error-page.ts';
import { tokenRevokePage } from './pages/token-revoke-page.ts';
import { tokenShownPage } from './pages/token-shown-page.ts';
import { tokensPage, type TokensPageOptions } from './pages/tokens-page.ts';

/** API tokens: list (every role), create and revoke (owners, `tokens.write`), the same rules as `/v1/tokens`. */
export function tokenPageRoutes(deps: DashboardDeps & { keys: KeyService }): Route[] {
  const tokens = new TokenService(deps);
  const origin = (req: IncomingMessage, user: UserPrincipal): ChangeOrigin => ({
    minter: { kind: 'member', actor: user.email, accountId: user.accountId, role: user.role },
    address: deps.origin.address(req),
  });
  const mintable = (user: UserPrincipal) =>
    can(user.role, 'tokens.write') ? ROLES.filter((role) => mayMint(user.role, role)) : [];
  const page = async (
    res: ServerResponse,
    status: number,
    user: UserPrincipal,
    extra: Partial<TokensPageOptions> = {},
  ) =>
    sendHtml(
      res,
      status,
      tokensPage({
        viewer: viewerOf(user),
        tokens: await tokens.list(user.accountId),
        now: deps.clock.now(),
        mintable: mintable(user),
        ...extra,
      }),
    );
  const refused = (res: ServerResponse, user: UserPrincipal, message: string) =>
    sendHtml(res, 403, errorPage({ title: 'Not allowed', message, viewer: viewerOf(user), back: '/tokens' }));
  const notFound = (res: ServerResponse, user: UserPrincipal) =>
    sendHtml(
      res,
      404,
      errorPage({
        title: 'Token not found',
        message: 'No such token in your account.',
        viewer: viewerOf(user),
        back: '/tokens',
      }),
    );

  return [
    {
      method: 'GET',
      pattern: '/tokens',
      access: 'public',
      // Declared for the role × route matrix; checked below, after the session (and the form's CSRF) are.
      permission: 'members.read',
      async handle({ req, res, url }) {
        const user = await requireUser(deps, req, res);
        if (user === undefined) return 'handled';
        if (!can(user.role, 'members.read')) return refused(res, user, 'Your role does not allow this.');
        const notice = url.searchParams.has('revoked') ? 'The token was revoked.' : undefined;
        return page(res, 200, user, { notice });
      },
    },
    {
      method: 'POST',
      pattern: '/tokens',
      access: 'public',
      permission: 'tokens.write',
      async handle({ req, res }) {
        const user = await requireUser(deps, req, res);
        if (user === undefined) return 'handled';
        const form = await readCheckedForm(req, res, user);
        if (form === undefined) return 'handled';
        if (!can(user.role, 'tokens.write'))
          return refused(res, user, 'Your role does not allow this. Only owners create API tokens.');
        const values = { name: form.get('name') ?? '', role: form.get('role') ?? '' };
        const parsed = createTokenSchema.safeParse(values);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const error = `${issue?.path.join('.') === 'role' ? 'Role' : 'Name'}: ${issue?.message ?? 'invalid'}`;
          return page(res, 400, user, { values, error });
        }
        const result = await tokens.mint(parsed.data, origin(req, user));
        if (!result.ok) return refused(res, user, 'A token cannot have a role above your own.');
        return sendHtml(
          res,
          200,
          tokenShownPage({ viewer: viewerOf(user), token: result.token, record: result.record }),
        );
      },
    },
    {
      method: 'GET',
      pattern: '/tokens/:id/revoke',
      access: 'public',
      permission: 'tokens.write',
      async handle({ req, res, params }) {
        const user = await requireUser(deps, req, res);
        if (user === undefined) return 'handled';
        if (!can(user.role, 'tokens.write'))
          return refused(res, user, 'Your role does not allow this. Only owners revoke API tokens.');
        const token = await tokens.get(params.id ?? '', user.accountId);
        if (token === undefined) return notFound(res, user);
        return sendHtml(res, 200, tokenRevokePage({ viewer: viewerOf(user), token }));
      },
    },
    {
      method: 'POST',
      pattern: '/tokens/:id/revoke',
      access: 'public',
      permission: 'tokens.write',
      async handle({ req, res, params }) {
        const user = await requireUser(deps, req, res);
        if (user === undefined) return 'handled';
        const form = await readCheckedForm(req, res, user);
        if (form === undefined) return 'handled';
        if (!can(user.role, 'tokens.write'))
          return refused(res, user, 'Your role does not allow this. Only owners revoke API tokens.');
        const result = await tokens.revoke(params.id ?? '', origin(req, user));
        if (!result.ok) return notFound(res, user);
        return redirect(res, '/tokens?revoked=1');
      },
    },
  ];
}
