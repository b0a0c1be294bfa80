import { z } from 'zod';
import { ROLES } from '../accounts/roles.ts';
import { ACCOUNT_ID } from '../ids.ts';

const accountId = z.string().regex(ACCOUNT_ID, { error: 'expected 1-64 characters from A-Z a-z 0-9 _ -' });

/** `POST /v1/tokens`. */
export const createTokenSchema = z.strictObject({
  name: z
    .string({ error: 'expected a string of 1 to 100 characters' })
    .trim()
    .min(1, { error: 'expected a string of 1 to 100 characters' })
    .max(100, { error: 'expected a string of 1 to 100 characters' })
    .meta({
      description: 'What the token is for; audit entries of its calls name it `token:<name>`',
      example: 'ci-deploy',
    }),
  role: z
    .enum(ROLES, { error: `expected one of ${ROLES.join(', ')}` })
    .meta({ description: "At most the caller's own role; only an owner (or the operator) mints an `owner` token" }),
  accountId: accountId.optional().meta({
    description: "The operator's choice of account (default: the default account); a session or token: its own",
  }),
});
export type CreateTokenBody = z.infer<typeof createTokenSchema>;

/** `GET /v1/tokens`. */
export const listTokensQuerySchema = z.strictObject({
  accountId: accountId.optional(),
});
