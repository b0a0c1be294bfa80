import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import { createKeySchema, listQuerySchema, patchKeySchema, rollKeySchema } from '../keys/key-input.ts';
import { auditQuerySchema } from '../audit/audit-input.ts';
import { auditPageSchema } from '../audit/audit-view.ts';
import { issuedKeySchema, keyDetailSchema, keyViewSchema } from '../keys/key-view.ts';
import { errors, json, success } from './envelopes.ts';

/** Read calls: the admin token, a management token, or a session alone. */
export const READ_SECURITY: Record<string, string[]>[] = [{ adminToken: [] }, { managementToken: [] }, { session: [] }];
/** Calls that change something: the admin token, a management token, or a session with its CSRF token. */
export const WRITE_SECURITY: Record<string, string[]>[] = [
  { adminToken: [] },
  { managementToken: [] },
  { session: [], csrfToken: [] },
];

const keyId = z.object({
  id: z.string().meta({ description: 'The key id (`key_…`)', example: 'key_3hV9cM0XzRk2aQpL7sWbYt1E' }),
});

const body = (schema: z.ZodType, description: string) => ({
  required: false,
  description,
  content: { 'application/json': { schema } },
});

const read = (operation: ZodOpenApiOperationObject): ZodOpenApiOperationObject => ({
  tags: ['keys'],
  security: READ_SECURITY,
  ...operation,
  responses: { ...operation.responses, ...errors('UNAUTHORIZED', 'SERVICE_UNAVAILABLE') },
});

const write = (operation: ZodOpenApiOperationObject): ZodOpenApiOperationObject => ({
  tags: ['keys'],
  security: WRITE_SECURITY,
  ...operation,
  responses: {
    ...operation.responses,
    ...errors('UNAUTHORIZED', 'FORBIDDEN', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'SERVICE_UNAVAILABLE'),
  },
});

/**
 * The management API (`/v1/keys*`, `/v1/audit-log`), from the same zod schemas that
 * validate its requests and type its answers. Keyed by OpenAPI path; the
 * test checks these against the routes the server registers.
 */
export const managementPaths: ZodOpenApiPathsObject = {
  '/v1/keys': {
    post: write({
      operationId: 'createKey',
      summary: 'Generate a key',
      description:
        'Issues a key; `key` is in this answer only. An admin-token caller may name any account (created when missing); a session creates in its own account.',
      requestBody: { ...body(createKeySchema, 'The key to issue'), required: true },
      responses: { 201: json('The new key, shown once', success(issuedKeySchema)), ...errors('BAD_REQUEST') },
    }),
    get: read({
      operationId: 'listKeys',
      summary: 'List keys, newest first',
      description: 'Never with the key or its hash. A session sees its own account only.',
      requestParams: { query: listQuerySchema },
      responses: { 200: json('The keys', success(z.array(keyViewSchema))), ...errors('BAD_REQUEST') },
    }),
  },
  '/v1/keys/{id}': {
    get: read({
      operationId: 'getKey',
      summary: 'One key, with its quota use',
      requestParams: { path: keyId },
      responses: { 200: json('The key', success(keyDetailSchema)), ...errors('NOT_FOUND') },
    }),
    patch: write({
      operationId: 'updateKey',
      summary: 'Change a key',
      description:
        'Fields left out stay as they are; null clears one. Writes an `updated` change event, so every proxy fetches the key again.',
      requestParams: { path: keyId },
      requestBody: body(patchKeySchema, 'The fields to change'),
      responses: { 200: json('The key as changed', success(keyDetailSchema)), ...errors('BAD_REQUEST', 'NOT_FOUND') },
    }),
  },
  '/v1/keys/{id}/revoke': {
    post: write({
      operationId: 'revokeKey',
      summary: 'Revoke a key at once (idempotent)',
      requestParams: { path: keyId },
      responses: { 200: json('The revoked key', success(keyViewSchema)), ...errors('NOT_FOUND') },
    }),
  },
  '/v1/keys/{id}/roll': {
    post: write({
      operationId: 'rollKey',
      summary: 'Roll a key',
      description:
        'Issues a successor with every setting, policy and the expiry of this key; this one keeps working for `gracePeriodSeconds` (0: revoked at once).',
      requestParams: { path: keyId },
      requestBody: body(rollKeySchema, 'How long the old key keeps working'),
      responses: {
        201: json('The new key, shown once', success(issuedKeySchema)),
        ...errors('BAD_REQUEST', 'NOT_FOUND', 'CONFLICT'),
      },
    }),
  },
  '/v1/audit-log': {
    get: read({
      tags: ['audit'],
      operationId: 'listAuditLog',
      summary: 'Audit entries, newest first, a page at a time',
      description:
        'Who did what, to which key, from where: key changes, logins, failed logins, logouts. Never a key, a password, a token or a session id. Follow `nextCursor` until it is null; a session sees its own account only, the admin token every account (or `accountId`).',
      requestParams: { query: auditQuerySchema },
      responses: { 200: json('One page', success(auditPageSchema)), ...errors('BAD_REQUEST') },
    }),
  },
};
