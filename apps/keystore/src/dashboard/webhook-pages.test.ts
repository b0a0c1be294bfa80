import { describe, expect, it } from 'vitest';
import { addUser, dashboardClient, PASSWORD } from '../testing/dashboard-client.ts';
import { startKeystore, type Harness } from '../testing/keystore-harness.ts';
import { startWebhookReceiver } from '../testing/webhook-receiver.ts';

const SECRET = /<code id="new-key"[^>]*>(whsec_[0-9A-Za-z+/=]+)<\/code>/;

async function loggedIn(ks: Harness, email = 'dev@example.com', account?: string) {
  await addUser(ks, email, account);
  const browser = dashboardClient(ks);
  await browser.login(email, PASSWORD);
  return browser;
}

describe('dashboard: Webhooks', () => {
  it('adds an endpoint (secret shown once), lists it escaped, shows deliveries, retries, rotates and deletes, each in the audit log', async () => {
    await using receiver = await startWebhookReceiver();
    await using ks = await startKeystore({ webhookAllowPrivate: true, webhookDelivery: { dispatch: false } });
    ks.clock.set(Date.now());
    const browser = await loggedIn(ks);
    expect(await (await browser.fetch('/webhooks')).text()).toContain('No endpoints yet');

    const added = await browser.post('/webhooks', {
      url: receiver.url,
      description: '<b>billing</b>',
      events: 'key.created',
    });
    expect(added.status).toBe(200);
    expect(added.headers.get('cache-control')).toBe('no-store');
    const page = await added.text();
    const secret = SECRET.exec(page)?.[1] ?? '';
    expect(secret).toMatch(/^whsec_/);
    expect(page).toContain('This secret will not be shown again.');
    const [hook] = await ks.app.webhooks.list(ks.store.defaultAccountId);
    expect(hook).toMatchObject({ url: receiver.url, events: ['key.created'], description: '<b>billing</b>' });

    const list = await (await browser.fetch('/webhooks')).text();
    expect(list).toContain(`href="/webhooks/${hook!.id}"`);
    expect(list).toContain('&lt;b&gt;billing&lt;/b&gt;');
    expect(list).not.toContain(secret);

    receiver.answers.push(500);
    await browser.post('/keys', { environment: 'test', name: 'ci', capacity: '', refill: '' });
    await ks.app.dispatcher.drain();
    const detail = await (await browser.fetch(`/webhooks/${hook!.id}`)).text();
    expect(detail).toContain('key.created');
    expect(detail).toContain('<code>500</code>');
    expect(detail).not.toContain(secret);
    const [delivery] = await ks.app.webhooks.deliveries(hook!.id);
    // A pending delivery has no retry button; a failed one does (here, one made to fail at once).
    expect(detail).not.toContain(`/deliveries/${delivery!.id}/retry`);

    const retried = await browser.post(`/webhooks/${hook!.id}/deliveries/${delivery!.id}/retry`, {});
    expect(retried.status).toBe(303);
    await ks.app.dispatcher.drain();
    expect(receiver.received).toHaveLength(2);
    receiver.verify(receiver.received[1]!, secret);

    const rotated = await browser.post(`/webhooks/${hook!.id}/rotate-secret`, {});
    const next = SECRET.exec(await rotated.text())?.[1] ?? '';
    expect(next).toMatch(/^whsec_/);
    expect(next).not.toBe(secret);

    const deleted = await browser.post(`/webhooks/${hook!.id}/delete`, {});
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('location')).toBe('/webhooks?deleted=1');
    expect(await ks.app.webhooks.get(hook!.id)).toBeUndefined();

    const audit = await ks.accounts.listAudit({ accountId: ks.store.defaultAccountId, limit: 20 });
    expect(audit.filter((e) => e.action.startsWith('webhook.')).map((e) => [e.action, e.actor, e.target])).toEqual([
      ['webhook.deleted', 'dev@example.com', hook!.id],
      ['webhook.secret_rotated', 'dev@example.com', hook!.id],
      ['webhook.delivery_retried', 'dev@example.com', hook!.id],
      ['webhook.created', 'dev@example.com', hook!.id],
    ]);
    const auditPage = await (await browser.fetch('/audit')).text();
    expect(auditPage).toContain('Added webhook');
    expect(auditPage).not.toContain(secret);
  });

  it('refuses a private URL with the form kept, and hides another account’s endpoint', async () => {
    await using ks = await startKeystore();
    const browser = await loggedIn(ks);
    const refused = await browser.post('/webhooks', { url: 'http://169.254.169.254/latest', description: 'x' });
    expect(refused.status).toBe(400);
    const text = await refused.text();
    expect(text).toContain('public address');
    expect(text).toContain('value="http://169.254.169.254/latest"');
    expect(await ks.app.webhooks.list(undefined)).toEqual([]);

    await ks.store.ensureAccount('acct_other', 'Other', ks.clock.now());
    const res = await ks.admin('/v1/webhooks', {
      method: 'POST',
      json: { url: 'https://93.184.215.14/in', accountId: 'acct_other' },
    });
    expect(res.status).toBe(201);
    const { id } = ((await res.json()) as { data: { id: string } }).data;
    expect((await browser.fetch(`/webhooks/${id}`)).status).toBe(404);
    expect((await browser.api('GET', `/v1/webhooks/${id}`)).status).toBe(404);
    expect((await browser.api('DELETE', `/v1/webhooks/${id}`)).status).toBe(404);
  });
});
