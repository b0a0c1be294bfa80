import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { Router } from '../http/router.ts';
import { auditEntrySchema, auditPageSchema } from '../audit/audit-view.ts';
import { issuedKeySchema, keyDetailSchema, keyViewSchema } from '../keys/key-view.ts';
import { startKeystore } from '../testing/keystore-harness.ts';
import { managementOpenApi, OPENAPI_PATH, openApiPath } from './openapi-document.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

describe('the management API in OpenAPI 3.1', () => {
  it('is a valid OpenAPI 3.1 document (and the validator does refuse a broken one)', async () => {
    const document = JSON.parse(JSON.stringify(managementOpenApi())) as Record<string, unknown>;
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');

    const broken = { ...document, paths: { '/v1/keys': { get: { responses: { 200: {} } } } } };
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('describes exactly the management routes the server registers, and itself', async () => {
    await using ks = await startKeystore();
    // The routes the app serves, with every optional part on (the dashboard, leak reports, webhooks).
    const router = new Router(ks.app.routes);
    const registered = router.routes
      .filter((route) => route.access === 'management' || route.pattern === OPENAPI_PATH)
      .map((route) => `${route.method} ${openApiPath(route.pattern)}`)
      .sort();
    const { paths = {} } = managementOpenApi();
    const documented = Object.entries(paths)
      .flatMap(([path, item]) => METHODS.filter((m) => item[m] !== undefined).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(registered.length).toBeGreaterThanOrEqual(7);
    expect(registered).toContain('GET /v1/audit-log');
    expect(documented).toEqual(registered);
  });

  it('documents the credentials: the admin token, a management token, or a session (with its CSRF token on writes)', () => {
    const document = managementOpenApi();
    expect(Object.keys(document.components?.securitySchemes ?? {})).toEqual([
      'adminToken',
      'managementToken',
      'session',
      'csrfToken',
    ]);
    const keys = document.paths?.['/v1/keys'];
    expect(keys?.get?.security).toEqual([{ adminToken: [] }, { managementToken: [] }, { session: [] }]);
    expect(keys?.post?.security).toEqual([{ adminToken: [] }, { managementToken: [] }, { session: [], csrfToken: [] }]);
    expect(document.paths?.[OPENAPI_PATH]?.get?.security).toEqual([]);
  });

  it('takes the request schemas from the validators: the policy fields, and strict bodies', () => {
    const create = managementOpenApi().paths?.['/v1/keys']?.post?.requestBody;
    const schema = (create as { content: Record<string, { schema: Record<string, unknown> }> }).content[
      'application/json'
    ]?.schema as { properties: Record<string, unknown>; required: string[]; additionalProperties: boolean };
    expect(Object.keys(schema.properties)).toEqual([
      'environment',
      'name',
      'accountId',
      'rateLimit',
      'expiresAt',
      'permissions',
      'allowedIps',
      'ownerId',
      'rateLimits',
      'quota',
      'metadata',
    ]);
    expect(schema.required).toEqual(['environment']);
    expect(schema.additionalProperties).toBe(false);
  });

  it('is served at GET /v1/openapi.json without credentials, as the document itself', async () => {
    await using ks = await startKeystore();
    const res = await fetch(`${ks.baseUrl}${OPENAPI_PATH}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(managementOpenApi())));
  });

  it("has response schemas that are the answers' exact shape", async () => {
    await using ks = await startKeystore();
    const send = async (path: string, method = 'GET', json?: unknown) =>
      ((await (await ks.admin(path, { method, json })).json()) as { data: unknown }).data;
    const policies = {
      ownerId: 'o',
      permissions: ['GET /a'],
      allowedIps: ['10.0.0.0/8'],
      rateLimits: [{ name: 'b', capacity: 1, refillPerSecond: 1 }],
      quota: { limit: 5, period: 'day' },
      metadata: { a: 1 },
    };
    const created = issuedKeySchema
      .strict()
      .parse(await send('/v1/keys', 'POST', { environment: 'test', ...policies }));
    const detailQuota = keyDetailSchema.shape.quota.unwrap().strict();
    const detail = keyDetailSchema.strict().parse(await send(`/v1/keys/${created.id}`));
    detailQuota.parse(detail.quota);
    keyDetailSchema.strict().parse(await send(`/v1/keys/${created.id}`, 'PATCH', { name: 'x' }));
    for (const item of (await send('/v1/keys')) as unknown[]) keyViewSchema.strict().parse(item);
    issuedKeySchema.strict().parse(await send(`/v1/keys/${created.id}/roll`, 'POST', { gracePeriodSeconds: 60 }));
    keyViewSchema.strict().parse(await send(`/v1/keys/${created.id}/revoke`, 'POST'));
    const audit = auditPageSchema.strict().parse(await send('/v1/audit-log?limit=2'));
    for (const entry of audit.entries) auditEntrySchema.strict().parse(entry);
    expect(audit.entries).toHaveLength(2);
    expect(audit.nextCursor).not.toBeNull();
  });
});
