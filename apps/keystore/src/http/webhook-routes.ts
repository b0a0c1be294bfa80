import { HttpError } from '@routemcp/errors';
import { parseInput } from '../keys/key-input.ts';
import type { KeyService } from '../keys/key-service.ts';
import type { WebhookRecord } from '../webhooks/webhook-record.ts';
import { createWebhookSchema, patchWebhookSchema } from '../webhooks/webhook-input.ts';
import type { WebhookService } from '../webhooks/webhook-service.ts';
import { toDeliveryView, toWebhookView } from '../webhooks/webhook-view.ts';
import { accountScope } from './management-routes.ts';
import type { Principal } from './principal.ts';
import { readJson } from './read-json.ts';
import type { Route } from './router.ts';
import { noWebhookAudit, type WebhookAuditor } from './webhook-audit.ts';

export interface WebhookRoutesDeps {
  webhooks: WebhookService;
  /** Whether a named account exists (the operator may name one). */
  keys: KeyService;
  audit?: WebhookAuditor;
}

/** `/v1/webhooks*`: endpoints, their secrets (shown on create and rotate only) and their deliveries. */
export function webhookRoutes({ webhooks, keys, audit = noWebhookAudit }: WebhookRoutesDeps): Route[] {
  /** The endpoint if the principal may see it; another account's is "not found", not "forbidden". */
  const visible = async (id: string | undefined, principal: Principal | undefined): Promise<WebhookRecord> => {
    const webhook = id === undefined ? undefined : await webhooks.get(id);
    const scope = accountScope(principal);
    if (webhook === undefined || (scope !== undefined && webhook.accountId !== scope))
      throw new HttpError('NOT_FOUND', 'Webhook not found');
    return webhook;
  };
  const withSecret = (webhook: WebhookRecord) => ({ ...toWebhookView(webhook), secret: webhook.secret });

  return [
    {
      method: 'POST',
      pattern: '/v1/webhooks',
      access: 'management',
      permission: 'webhooks.write',
      async handle({ req, principal }) {
        const body = parseInput(createWebhookSchema, (await readJson(req)) ?? {});
        const scope = accountScope(principal);
        if (scope !== undefined && body.accountId !== undefined && body.accountId !== scope)
          throw new HttpError('BAD_REQUEST', 'accountId: unknown account');
        const accountId = scope ?? body.accountId ?? keys.defaultAccountId;
        if (!(await keys.hasAccount(accountId))) throw new HttpError('BAD_REQUEST', 'accountId: unknown account');
        const result = await webhooks.create({
          accountId,
          url: body.url,
          events: body.events ?? null,
          description: body.description ?? null,
        });
        if (!result.ok) throw new HttpError('BAD_REQUEST', result.message);
        await audit(req, principal, 'webhook.created', result.webhook);
        return { status: 201, data: withSecret(result.webhook) };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/webhooks',
      access: 'management',
      permission: 'webhooks.read',
      handle: async ({ principal }) => ({
        status: 200,
        data: (await webhooks.list(accountScope(principal))).map(toWebhookView),
      }),
    },
    {
      method: 'GET',
      pattern: '/v1/webhooks/:id',
      access: 'management',
      permission: 'webhooks.read',
      handle: async ({ params, principal }) => ({
        status: 200,
        data: toWebhookView(await visible(params.id, principal)),
      }),
    },
    {
      method: 'PATCH',
      pattern: '/v1/webhooks/:id',
      access: 'management',
      permission: 'webhooks.write',
      async handle({ req, params, principal }) {
        const patch = parseInput(patchWebhookSchema, (await readJson(req)) ?? {});
        const result = await webhooks.update((await visible(params.id, principal)).id, patch);
        if (result === undefined) throw new HttpError('NOT_FOUND', 'Webhook not found');
        if (!result.ok) throw new HttpError('BAD_REQUEST', result.message);
        await audit(req, principal, 'webhook.updated', result.webhook);
        return { status: 200, data: toWebhookView(result.webhook) };
      },
    },
    {
      method: 'DELETE',
      pattern: '/v1/webhooks/:id',
      access: 'management',
      permission: 'webhooks.write',
      async handle({ req, params, principal }) {
        const webhook = await visible(params.id, principal);
        if (!(await webhooks.delete(webhook.id))) throw new HttpError('NOT_FOUND', 'Webhook not found');
        await audit(req, principal, 'webhook.deleted', webhook);
        return { status: 200, data: toWebhookView(webhook) };
      },
    },
    {
      method: 'POST',
      pattern: '/v1/webhooks/:id/rotate-secret',
      access: 'management',
      permission: 'webhooks.write',
      async handle({ req, params, principal }) {
        const rotated = await webhooks.rotateSecret((await visible(params.id, principal)).id);
        if (rotated === undefined) throw new HttpError('NOT_FOUND', 'Webhook not found');
        await audit(req, principal, 'webhook.secret_rotated', rotated);
        return { status: 200, data: withSecret(rotated) };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/webhooks/:id/deliveries',
      access: 'management',
      permission: 'webhooks.read',
      async handle({ params, principal }) {
        const webhook = await visible(params.id, principal);
        return { status: 200, data: (await webhooks.deliveries(webhook.id)).map(toDeliveryView) };
      },
    },
    {
      method: 'POST',
      pattern: '/v1/webhooks/:id/deliveries/:deliveryId/retry',
      access: 'management',
      permission: 'webhooks.write',
      async handle({ req, params, principal }) {
        const webhook = await visible(params.id, principal);
        const delivery = params.deliveryId === undefined ? undefined : await webhooks.getDelivery(params.deliveryId);
        if (delivery === undefined || delivery.webhookId !== webhook.id)
          throw new HttpError('NOT_FOUND', 'Delivery not found');
        const retried = await webhooks.retry(delivery.id);
        if (retried === undefined) throw new HttpError('NOT_FOUND', 'Delivery not found');
        await audit(req, principal, 'webhook.delivery_retried', webhook);
        return { status: 202, data: toDeliveryView(retried) };
      },
    },
  ];
}
