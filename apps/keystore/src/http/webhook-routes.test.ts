import { describe, expect, it } from 'vitest';
import { startKeystore, type Harness } from '../testing/keystore-harness.ts';
import { deliveryViewSchema, webhookViewSchema, webhookWithSecretSchema } from '../webhooks/webhook-view.ts';
import type { Principal } from './principal.ts';

interface Body {
  success: boolean;
  data?: Record<string, unknown> & { id: string; secret?: string };
  message?: string;
}

async function call(ks: Harness, method: string, path: string, json?: unknown) {
  const res = await ks.admin(path, { method, json });
  return { status: res.status, body: (await res.json()) as Body };
}

const refusal = (status: number, code: string, message: unknown) => ({
  status,
  body: { success: false, statusCode: status, message, code },
});

describe('/v1/webhooks', () => {
  it('creates with a whsec_ secret shown only on create and rotate; reads, patches and deletes', async () => {
    await using ks = await startKeystore({
      webhookDelivery: { dispatch: false, resolve: async () => ['93.184.215.14'] },
    });
    const created = await call(ks, 'POST', '/v1/webhooks', {
      url: 'https://hooks.example.com/routemcp',
      events: ['key.revoked', 'key.revoked', 'quota.exceeded'],
      description: 'billing',
    });
    expect(created.status).toBe(201);
    const { id, secret } = created.body.data!;
    expect(id).toMatch(/^wh_[0-9A-Za-z]{24}$/);
    // whsec_ + base64 of 32 random bytes.
    expect(Buffer.from(secret!.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(created.body.data).toMatchObject({
      url: 'https://hooks.example.com/routemcp',
      events: ['key.revoked', 'quota.exceeded'],
      description: 'billing',
      status: 'enabled',
      accountId: ks.store.defaultAccountId,
    });

    for (const answer of [await call(ks, 'GET', '/v1/webhooks'), await call(ks, 'GET', `/v1/webhooks/${id}`)])
      expect(JSON.stringify(answer.body)).not.toContain(secret);
    // The answers have exactly the shapes the OpenAPI document gives them.
    webhookWithSecretSchema.strict().parse(created.body.data);
    webhookViewSchema.strict().parse((await call(ks, 'GET', `/v1/webhooks/${id}`)).body.data);
    const key = (await call(ks, 'POST', '/v1/keys', { environment: 'test' })).body.data!;
    await call(ks, 'POST', `/v1/keys/${key.id}/revoke`);
    const listed = (await ks.admin(`/v1/webhooks/${id}/deliveries`).then((r) => r.json())) as { data: unknown[] };
    expect(listed.data).toHaveLength(1);
    const delivery = deliveryViewSchema.strict().parse(listed.data[0]);
    expect(delivery).toMatchObject({ eventType: 'key.revoked', status: 'pending', attempts: 0 });
    const retried = await call(ks, 'POST', `/v1/webhooks/${id}/deliveries/${delivery.id}/retry`);
    expect(retried.status).toBe(202);
    deliveryViewSchema.strict().parse(retried.body.data);
    expect(await call(ks, 'POST', `/v1/webhooks/${id}/deliveries/dlv_missing/retry`)).toEqual(
      refusal(404, 'NOT_FOUND', 'Delivery not found'),
    );
    const patched = await call(ks, 'PATCH', `/v1/webhooks/${id}`, { events: null, disabled: true });
    expect(patched.body.data).toMatchObject({ events: null, status: 'disabled', description: 'billing' });

    const rotated = await call(ks, 'POST', `/v1/webhooks/${id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.data?.secret).toMatch(/^whsec_/);
    expect(rotated.body.data?.secret).not.toBe(secret);

    expect((await call(ks, 'DELETE', `/v1/webhooks/${id}`)).status).toBe(200);
    expect(await call(ks, 'GET', `/v1/webhooks/${id}`)).toEqual(refusal(404, 'NOT_FOUND', 'Webhook not found'));
    const audit = await ks.accounts.listAudit({ limit: 10 });
    expect(audit.filter((e) => e.action.startsWith('webhook.')).map((e) => [e.action, e.actor, e.target])).toEqual([
      ['webhook.deleted', 'operator', id],
      ['webhook.secret_rotated', 'operator', id],
      ['webhook.updated', 'operator', id],
      ['webhook.delivery_retried', 'operator', id],
      ['webhook.created', 'operator', id],
    ]);
  });

  it('refuses bad bodies and receivers outside the public internet, naming the field', async () => {
    await using ks = await startKeystore({
      webhookDelivery: {
        resolve: async (host) => (host === 'internal.example.com' ? ['10.0.0.7'] : ['93.184.215.14']),
      },
    });
    const bad = async (json: unknown, message: unknown) =>
      expect(await call(ks, 'POST', '/v1/webhooks', json)).toEqual(refusal(400, 'BAD_REQUEST', message));
    await bad({}, 'url: expected an http:// or https:// URL of at most 2048 characters');
    await bad({ url: 'ftp://example.com' }, 'url: expected an http:// or https:// URL');
    await bad(
      { url: 'https://example.com', events: ['key.nope'] },
      expect.stringMatching(/^events\.0: expected one of key\.created/),
    );
    await bad(
      { url: 'https://example.com', events: [] },
      'events: expected at least one event type, or null for all of them',
    );
    await bad({ url: 'https://example.com', secret: 'mine' }, 'secret: unknown field');
    await bad(
      { url: 'http://127.0.0.1:9000/' },
      'url: expected a public address: loopback, private and link-local ranges are refused (KEYSTORE_WEBHOOK_ALLOW_PRIVATE=true allows them)',
    );
    await bad(
      { url: 'https://internal.example.com/hook' },
      'url: internal.example.com resolves to an address outside the public internet (KEYSTORE_WEBHOOK_ALLOW_PRIVATE=true allows it)',
    );
    expect((await call(ks, 'POST', '/v1/webhooks', { url: 'https://public.example.com/hook' })).status).toBe(201);
    expect(await ks.app.webhooks.list(undefined)).toHaveLength(1);
  });

  it('lets a viewer read webhooks and refuses it every change (403)', async () => {
    let accountId = '';
    const viewer = (): Principal => ({
      kind: 'user',
      userId: 'usr_viewer',
      email: 'viewer@example.com',
      accountId,
      role: 'viewer',
      sessionIdHash: 'session-hash',
      csrfToken: 'csrf',
    });
    await using ks = await startKeystore({
      webhookAllowPrivate: true,
      managementResolvers: [(req) => (req.headers.authorization === 'Bearer viewer' ? viewer() : undefined)],
    });
    accountId = ks.store.defaultAccountId;
    const { body } = await call(ks, 'POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook' });
    const id = body.data!.id;
    const as = (method: string, path: string) =>
      fetch(`${ks.baseUrl}${path}`, {
        method,
        headers: { authorization: 'Bearer viewer', 'content-type': 'application/json', 'x-csrf-token': 'csrf' },
        body: method === 'GET' ? undefined : '{}',
      });
    expect((await as('GET', '/v1/webhooks')).status).toBe(200);
    expect((await as('GET', `/v1/webhooks/${id}/deliveries`)).status).toBe(200);
    for (const [method, path] of [
      ['POST', '/v1/webhooks'],
      ['PATCH', `/v1/webhooks/${id}`],
      ['DELETE', `/v1/webhooks/${id}`],
      ['POST', `/v1/webhooks/${id}/rotate-secret`],
    ] as const) {
      expect((await as(method, path)).status, `${method} ${path}`).toBe(403);
    }
    expect(await ks.app.webhooks.get(id)).toMatchObject({ disabledAt: null });
  });
});
