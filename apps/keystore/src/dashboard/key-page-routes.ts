import type { ServerResponse } from 'node:http';
import type { KeyAuditor } from '../http/key-audit.ts';
import type { Permission } from '../accounts/roles.ts';
import type { Route, RouteContext } from '../http/router.ts';
import type { StoredKey } from '../keys/key-record.ts';
import type { KeyService } from '../keys/key-service.ts';
import type { DashboardDeps } from './dashboard-deps.ts';
import { html, type SafeHtml } from './html.ts';
import { labelled, parseEditForm, parseNewKeyForm, parseRollForm } from './key-forms.ts';
import { POLICY_FORM_FIELDS } from './policy-form.ts';
import { errorPage } from './pages/error-page.ts';
import { keyDetailPage, type KeyDetailOptions } from './pages/key-detail-page.ts';
import { keyShownPage } from './pages/key-shown-page.ts';
import { keysPage } from './pages/keys-page.ts';
import { newKeyPage } from './pages/new-key-page.ts';
import { revokePage } from './pages/revoke-page.ts';
import { pageRoute, readCheckedForm, redirect, sendHtml, viewerOf, type UserPrincipal } from './page-kit.ts';
import { chartStart, usageSeries, type UsagePoint } from './usage-chart.ts';

export interface KeyPageDeps extends DashboardDeps {
  keys: KeyService;
  audit: KeyAuditor;
}

const notice = (kind: 'success' | 'info', text: SafeHtml | string) =>
  html`<p class="alert alert-${kind}" role="status">${text}</p>`;

/** API Keys, Generate New Key, one key's page, edit, roll and revoke: the dashboard's key lifecycle. */
export function keyPageRoutes(deps: KeyPageDeps): Route[] {
  const { keys } = deps;
  const usageOf = async (ids: readonly string[]): Promise<Map<string, UsagePoint[]>> => {
    const now = deps.clock.now();
    const rows = await deps.accounts.usageSince(ids, chartStart(now));
    return new Map(
      ids.map((id) => [
        id,
        usageSeries(
          rows.filter((r) => r.keyId === id),
          now,
        ),
      ]),
    );
  };
  /** The key if it belongs to the user's account; another account's key is answered exactly like a missing one. */
  const ownKey = async (user: UserPrincipal, id: string | undefined): Promise<StoredKey | undefined> => {
    const key = id === undefined ? undefined : await keys.get(id);
    return key !== undefined && key.accountId === user.accountId ? key : undefined;
  };
  const notFound = (res: ServerResponse, user: UserPrincipal) =>
    sendHtml(
      res,
      404,
      errorPage({ title: 'Key not found', message: 'There is no such key in this account.', viewer: viewerOf(user) }),
    );
  const detail = async (
    res: ServerResponse,
    status: number,
    user: UserPrincipal,
    key: StoredKey,
    extra: Partial<KeyDetailOptions> = {},
  ) => {
    const usage = (await usageOf([key.id])).get(key.id) ?? [];
    const quota = await keys.quotaUsage(key);
    return sendHtml(
      res,
      status,
      keyDetailPage({ viewer: viewerOf(user), key, usage, quota, now: keys.now(), ...extra }),
    );
  };
  /** What the user typed, to show again with the message when a form is refused. */
  const typed = (form: URLSearchParams, fields: readonly string[]) =>
    Object.fromEntries(fields.map((f) => [f, form.get(f) ?? undefined]));
  /** Shared by every route: resolve the session (or redirect), check the role's permission, then run. */
  const page = (
    method: string,
    pattern: string,
    permission: Permission,
    run: (ctx: RouteContext, user: UserPrincipal) => 'handled' | Promise<'handled'>,
  ): Route => pageRoute(deps, { method, pattern, permission }, run);

  return [
    page('GET', '/keys', 'keys.read', async ({ res, url }, user) => {
      const list = await keys.list({ accountId: user.accountId });
      const created = await ownKey(user, url.searchParams.get('created') ?? undefined);
      const revoked = await ownKey(user, url.searchParams.get('revoked') ?? undefined);
      const shown =
        created !== undefined
          ? notice(
              'info',
              html`Key <code>${created.hint}</code> was created. Its full value was shown once and cannot be shown again.`,
            )
          : revoked !== undefined
            ? notice(
                'success',
                html`Key <code>${revoked.hint}</code> was revoked. Requests that use it are now refused.`,
              )
            : undefined;
      const listing = keysPage({
        viewer: viewerOf(user),
        keys: list,
        usage: await usageOf(list.map((k) => k.id)),
        now: keys.now(),
        notice: shown,
      });
      return sendHtml(res, 200, listing);
    }),
    page('GET', '/keys/new', 'keys.write', ({ res }, user) =>
      sendHtml(res, 200, newKeyPage({ viewer: viewerOf(user) })),
    ),
    page('POST', '/keys', 'keys.write', async ({ req, res }, user) => {
      const form = await readCheckedForm(req, res, user);
      if (form === undefined) return 'handled';
      const input = parseNewKeyForm(form);
      const refuse = (error: string) => {
        const values = typed(form, ['environment', 'name', 'capacity', 'refill', ...POLICY_FORM_FIELDS]);
        return sendHtml(res, 400, newKeyPage({ viewer: viewerOf(user), values, error }));
      };
      if (!input.ok) return refuse(input.error);
      const { environment, settings, lines } = input.value;
      const result = await keys.create(
        { environment, ...settings, accountId: user.accountId },
        { createAccount: false, actor: user.email },
      );
      if (!result.ok)
        return result.reason === 'invalid' ? refuse(labelled(result.message, lines)) : notFound(res, user);
      await deps.audit(req, user, 'key.created', result.issued.record);
      return sendHtml(
        res,
        200,
        keyShownPage({ viewer: viewerOf(user), key: result.issued.key, record: result.issued.record }),
      );
    }),
    page('GET', '/keys/:id', 'keys.read', async ({ res, params, url }, user) => {
      const key = await ownKey(user, params.id);
      if (key === undefined) return notFound(res, user);
      return detail(
        res,
        200,
        user,
        key,
        url.searchParams.has('saved') ? { notice: notice('success', 'Changes saved.') } : {},
      );
    }),
    page('POST', '/keys/:id', 'keys.write', async ({ req, res, params }, user) => {
      const form = await readCheckedForm(req, res, user);
      if (form === undefined) return 'handled';
      const key = await ownKey(user, params.id);
      if (key === undefined) return notFound(res, user);
      const input = parseEditForm(form);
      const refuse = (editError: string) => {
        const values = typed(form, ['name', 'capacity', 'refill', ...POLICY_FORM_FIELDS]);
        return detail(res, 400, user, key, { editError, values });
      };
      if (!input.ok) return refuse(input.error);
      const updated = await keys.update(key.id, input.value.settings, user.email);
      if (!updated.ok) {
        return updated.reason === 'invalid'
          ? refuse(labelled(updated.message, input.value.lines))
          : notFound(res, user);
      }
      await deps.audit(req, user, 'key.updated', updated.key);
      return redirect(res, `/keys/${key.id}?saved=1`);
    }),
    page('GET', '/keys/:id/revoke', 'keys.write', async ({ res, params }, user) => {
      const key = await ownKey(user, params.id);
      if (key === undefined) return notFound(res, user);
      if (key.revokedAt !== null) return redirect(res, `/keys/${key.id}`);
      return sendHtml(res, 200, revokePage({ viewer: viewerOf(user), key }));
    }),
    page('POST', '/keys/:id/revoke', 'keys.write', async ({ req, res, params }, user) => {
      const form = await readCheckedForm(req, res, user);
      if (form === undefined) return 'handled';
      const key = await ownKey(user, params.id);
      if (key === undefined) return notFound(res, user);
      const revoked = await keys.revoke(key.id, user.email);
      if (revoked === undefined) return notFound(res, user);
      if (key.revokedAt === null) await deps.audit(req, user, 'key.revoked', revoked);
      return redirect(res, `/keys?revoked=${key.id}`);
    }),
    page('POST', '/keys/:id/roll', 'keys.write', async ({ req, res, params }, user) => {
      const form = await readCheckedForm(req, res, user);
      if (form === undefined) return 'handled';
      const key = await ownKey(user, params.id);
      if (key === undefined) return notFound(res, user);
      const grace = parseRollForm(form);
      if (!grace.ok) {
        const values = { grace: form.get('grace') ?? '', customHours: form.get('customHours') ?? '' };
        return detail(res, 400, user, key, { rollError: grace.error, values });
      }
      const result = await keys.roll(key.id, grace.value, user.email);
      if (!result.ok) {
        if (result.reason !== 'not_found') {
          const rollError =
            result.reason === 'revoked' ? 'A revoked key cannot be rolled.' : 'An expired key cannot be rolled.';
          return detail(res, 409, user, key, { rollError });
        }
        return notFound(res, user);
      }
      await deps.audit(req, user, 'key.rolled', result.old);
      await deps.audit(req, user, 'key.created', result.issued.record);
      return sendHtml(
        res,
        200,
        keyShownPage({
          viewer: viewerOf(user),
          key: result.issued.key,
          record: result.issued.record,
          rolledFrom: result.old,
        }),
      );
    }),
  ];
}
