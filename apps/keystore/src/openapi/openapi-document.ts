import { createDocument } from 'zod-openapi';
import { SESSION_COOKIE } from '../http/session-resolver.ts';
import { leakPaths } from './leak-paths.ts';
import { managementPaths } from './management-paths.ts';
import { webhookPaths } from './webhook-paths.ts';
import { tokenPaths } from './token-paths.ts';

export const OPENAPI_PATH = '/v1/openapi.json';

/** `/v1/keys/:id/roll` → `/v1/keys/{id}/roll`. */
export const openApiPath = (pattern: string): string => pattern.replace(/:([A-Za-z_]\w*)/g, '{$1}');

/** OpenAPI 3.1 of the management API, generated from its zod schemas. */
export function managementOpenApi(): ReturnType<typeof createDocument> {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'RouteMCP keystore management API',
      version: '1',
      description:
        'Key lifecycle and policies. Every answer is an envelope: `{"success":true,"data":…}` or the error envelope.',
    },
    tags: [
      { name: 'keys', description: 'API keys' },
      { name: 'audit', description: 'The audit log' },
      { name: 'leaks', description: 'Keys found in public' },
      { name: 'webhooks', description: 'Signed lifecycle events (Standard Webhooks) to your receivers' },
      { name: 'tokens', description: 'Named management tokens for automation' },
    ],
    paths: {
      ...managementPaths,
      ...leakPaths,
      ...webhookPaths,
      ...tokenPaths,
      [OPENAPI_PATH]: {
        get: {
          operationId: 'openApi',
          summary: 'This document',
          description: 'Served without credentials and without the envelope, so OpenAPI tools can read it as it is.',
          security: [],
          responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': {} } } },
        },
      },
    },
    components: {
      securitySchemes: {
        adminToken: {
          type: 'http',
          scheme: 'bearer',
          description: '`KEYSTORE_ADMIN_TOKEN`: every account (the operator).',
        },
        managementToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            "A named management token (`rmk_…`, from `POST /v1/tokens`): its account only, its role's permissions; no CSRF token (a header is not sent by a browser on its own).",
        },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description: "A dashboard login's session: only that user's account; another account's key is a 404.",
        },
        csrfToken: {
          type: 'apiKey',
          in: 'header',
          name: 'X-CSRF-Token',
          description:
            "With a session, on every call that changes something: the session's CSRF token (the dashboard pages' `_csrf` field); an `Origin`, when sent, must be this host.",
        },
      },
    },
  });
}
