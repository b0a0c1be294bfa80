import type { ServerResponse } from 'node:http';
import { webhookEventTypeSchema, type WebhookEventType } from '@routemcp/internal-api';
import { principalCan } from '../http/principal.ts';
import type { Route, RouteContext } from '../http/router.ts';
import type { WebhookAuditor } from '../http/webhook-audit.ts';
import type { WebhookRecord } from '../webhooks/webhook-record.ts';
import type { WebhookService } from '../webhooks/webhook-service.ts';
import type { DashboardDeps } from './dashboard-deps.ts';
import { html } from './html.ts';
import { errorPage } from './pages/error-page.ts';
import { webhookDetailPage } from './pages/webhook-detail-page.ts';
import { webhookSecretPage } from './pages/webhook-secret-page.ts';
import { webhooksPage } from './pages/webhooks-page.ts';
import { readCheckedForm, redirect, requireUser, sendHtml, viewerOf, type UserPrincipal } from './page-kit.ts';

export interface WebhookPageDeps extends DashboardDeps {
  webhooks: WebhookService;
  webhookAudit: WebhookAuditor;
}

const notice = (text: string) => html`<p class="alert alert-success" role="status">${text}</p>`;

/** The Webhooks page: list, add (secret shown once), rotate, delete, deliveries and retry. */
export function webhookPageRoutes(deps: WebhookPageDeps): Route[] {
  const { webhooks } = deps;
  const own = async (user: UserPrincipal, id: string | undefined): Promise<WebhookRecord | undefined> => {
    const webhook = id === undefined ? undefined : await webhooks.get(id);
    return webhook !== undefined && webhook.accountId === user.accountId ? webhook : undefined;
  };
  const refuse = (res: ServerResponse, user: UserPrincipal, status: 403 | 404) =>
    sendHtml(
      res,
      status,
      errorPage({
        title: status === 404 ? 'Endpoint not found' : 'Not allowed',
        message:
          status === 404 ? 'There is no such webhook endpoint in this account.' : 'Your role does not allow this.',
        viewer: viewerOf(user),
      }),
    );
  /** Resolve the session (or redirect) and check the role, then run. */
  const page =
    (
      permission: 'webhooks.read' | 'webhooks.write',
      run: (ctx: RouteContext, user: UserPrincipal) => Promise<'handled'>,
    ) =>
    async (ctx: RouteContext): Promise<'handled'> => {
      const user = await requireUser(deps, ctx.req, ctx.res);
      if (user === undefined) return 'handled';
      if (!principalCan(user, permission)) return refuse(ctx.res, user, 403);
      return run(ctx, user);
    };
  const list = async (res: ServerResponse, user: UserPrincipal, status: number, extra = {}) =>
    sendHtml(
      res,
      status,
      webhooksPage({
        viewer: viewerOf(user),
        webhooks: await webhooks.list(user.accountId),
        now: deps.clock.now(),
        canWrite: principalCan(user, 'webhooks.write'),
        ...extra,
      }),
    );

  return [
    {
      method: 'GET',
      pattern: '/webhooks',
      access: 'public',
      permission: 'webhooks.read',
      handle: page('webhooks.read', ({ res, url }, user) =>
        list(res, user, 200, url.searchParams.has('deleted') ? { notice: notice('Endpoint deleted.') } : {}),
      ),
    },
    {
      method: 'POST',
      pattern: '/webhooks',
      access: 'public',
      permission: 'webhooks.write',
      handle: page('webhooks.write', async ({ req, res }, user) => {
        const form = await readCheckedForm(req, res, user);
        if (form === undefined) return 'handled';
        const url = (form.get('url') ?? '').trim();
        const description = (form.get('description') ?? '').trim();
        const events = form.getAll('events');
        const values = { url, description, events };
        const parsed = events.map((e) => webhookEventTypeSchema.safeParse(e));
        if (url === '' || url.length > 2048 || description.length > 200 || parsed.some((p) => !p.success))
          return list(res, user, 400, {
            values,
            error: 'Enter an http:// or https:// URL (and a shorter description).',
          });
        const result = await webhooks.create({
          accountId: user.accountId,
          url,
          description: description === '' ? null : description,
          events: events.length === 0 ? null : [...new Set(events as WebhookEventType[])],
        });
        if (!result.ok) return list(res, user, 400, { values, error: result.message });
        await deps.webhookAudit(req, user, 'webhook.created', result.webhook);
        return sendHtml(
          res,
          200,
          webhookSecretPage({ viewer: viewerOf(user), webhook: result.webhook, rotated: false }),
        );
      }),
    },
    {
      method: 'GET',
      pattern: '/webhooks/:id',
      access: 'public',
      permission: 'webhooks.read',
      handle: page('webhooks.read', async ({ res, params, url }, user) => {
        const webhook = await own(user, params.id);
        if (webhook === undefined) return refuse(res, user, 404);
        return sendHtml(
          res,
          200,
          webhookDetailPage({
            viewer: viewerOf(user),
            webhook,
            deliveries: await webhooks.deliveries(webhook.id, 50),
            now: deps.clock.now(),
            canWrite: principalCan(user, 'webhooks.write'),
            ...(url.searchParams.has('retried') ? { notice: notice('Delivery queued again.') } : {}),
          }),
        );
      }),
    },
    {
      method: 'POST',
      pattern: '/webhooks/:id/rotate-secret',
      access: 'public',
      permission: 'webhooks.write',
      handle: page('webhooks.write', async ({ req, res, params }, user) => {
        const form = await readCheckedForm(req, res, user);
        if (form === undefined) return 'handled';
        const webhook = await own(user, params.id);
        const rotated = webhook === undefined ? undefined : await webhooks.rotateSecret(webhook.id);
        if (rotated === undefined) return refuse(res, user, 404);
        await deps.webhookAudit(req, user, 'webhook.secret_rotated', rotated);
        return sendHtml(res, 200, webhookSecretPage({ viewer: viewerOf(user), webhook: rotated, rotated: true }));
      }),
    },
    {
      method: 'POST',
      pattern: '/webhooks/:id/delete',
      access: 'public',
      permission: 'webhooks.write',
      handle: page('webhooks.write', async ({ req, res, params }, user) => {
        const form = await readCheckedForm(req, res, user);
        if (form === undefined) return 'handled';
        const webhook = await own(user, params.id);
        if (webhook === undefined || !(await webhooks.delete(webhook.id))) return refuse(res, user, 404);
        await deps.webhookAudit(req, user, 'webhook.deleted', webhook);
        return redirect(res, '/webhooks?deleted=1');
      }),
    },
    {
      method: 'POST',
      pattern: '/webhooks/:id/deliveries/:deliveryId/retry',
      access: 'public',
      permission: 'webhooks.write',
      handle: page('webhooks.write', async ({ req, res, params }, user) => {
        const form = await readCheckedForm(req, res, user);
        if (form === undefined) return 'handled';
        const webhook = await own(user, params.id);
        const delivery = params.deliveryId === undefined ? undefined : await webhooks.getDelivery(params.deliveryId);
        if (webhook === undefined || delivery === undefined || delivery.webhookId !== webhook.id)
          return refuse(res, user, 404);
        await webhooks.retry(delivery.id);
        await deps.webhookAudit(req, user, 'webhook.delivery_retried', webhook);
        return redirect(res, `/webhooks/${webhook.id}?retried=1`);
      }),
    },
  ];
}
