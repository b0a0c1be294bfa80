import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import { createTokenSchema, listTokensQuerySchema } from '../tokens/token-input.ts';
import { issuedTokenSchema, tokenViewSchema } from '../tokens/token-view.ts';
import { errors, json, success } from './envelopes.ts';

const tokenId = z.object({
  id: z.string().meta({ description: 'The token id (`tok_…`), not the token', example: 'tok_4fT8kP1qZr7mWn2X' }),
});

const operation = (write: boolean, op: ZodOpenApiOperationObject): ZodOpenApiOperationObject => ({
  tags: ['tokens'],
  security: write
    ? [{ adminToken: [] }, { managementToken: [] }, { session: [], csrfToken: [] }]
    : [{ adminToken: [] }, { managementToken: [] }, { session: [] }],
  ...op,
  responses: {
    ...op.responses,
    ...errors('UNAUTHORIZED', 'FORBIDDEN', 'SERVICE_UNAVAILABLE'),
    ...(write ? errors('PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE') : {}),
  },
});

/** Named management tokens (issue 23): automation's own credentials, so that it need not share the operator's. */
export const tokenPaths: ZodOpenApiPathsObject = {
  '/v1/tokens': {
    post: operation(true, {
      operationId: 'createToken',
      summary: 'Mint a management token',
      description:
        "`token` is in this answer only; only its SHA-256 is stored. Needs `tokens.write` (owners); the role may not be above the caller's own, so only an owner or the operator mints an `owner` token. The operator names any account (`accountId`); a session or token mints in its own.",
      requestBody: {
        required: true,
        description: 'A name and a role',
        content: { 'application/json': { schema: createTokenSchema } },
      },
      responses: { 201: json('The new token, shown once', success(issuedTokenSchema)), ...errors('BAD_REQUEST') },
    }),
    get: operation(false, {
      operationId: 'listTokens',
      summary: 'List management tokens, newest first',
      description:
        'Never a token or its hash: who minted each, its role, when it was last used (to the minute) and whether it is revoked. Needs `members.read` (every role). A session or token sees its own account; the operator every account, or `accountId`.',
      requestParams: { query: listTokensQuerySchema },
      responses: { 200: json('The tokens', success(z.array(tokenViewSchema))), ...errors('BAD_REQUEST') },
    }),
  },
  '/v1/tokens/{id}/revoke': {
    post: operation(true, {
      operationId: 'revokeToken',
      summary: 'Revoke a management token',
      description:
        'Its next call is a 401, on every replica. Needs `tokens.write`. Revoking a revoked token answers the same and writes no second audit entry.',
      requestParams: { path: tokenId },
      responses: { 200: json('The revoked token', success(tokenViewSchema)), ...errors('NOT_FOUND') },
    }),
  },
};
