import { describe, expect, it } from 'vitest';
import { hash } from '@routemcp/api-key';
import { startKeystore, type Harness } from '../testing/keystore-harness.ts';
import { followingClock } from '../testing/fake-clock.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../testing/webhook-receiver.ts';

// A keystore in this process, a receiver on loopback, deliveries verified with the standardwebhooks library.
// The fake clock starts at real time: the library refuses a webhook-timestamp more than 5 minutes off.

async function addWebhook(ks: Harness, receiver: WebhookReceiver, events?: string[]) {
  const res = await ks.admin('/v1/webhooks', { method: 'POST', json: { url: receiver.url, events } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { data: { id: string; secret: string } }).data;
}

async function json<T>(res: Response | Promise<Response>): Promise<T> {
  return ((await (await res).json()) as { data: T }).data;
}

describe('webhook deliveries', () => {
  it('key created, updated, rolled, revoked, expired, quota and leaked events arrive signed, and no body holds a key or its hash', async () => {
    await using receiver = await startWebhookReceiver();
    await using ks = await startKeystore({ webhookAllowPrivate: true, webhookDelivery: { dispatch: false } });
    ks.clock.set(Date.now());
    const { secret } = await addWebhook(ks, receiver);

    const created = await json<{ id: string; key: string }>(
      ks.admin('/v1/keys', {
        method: 'POST',
        json: { environment: 'live', name: 'billing', ownerId: 'cust_7', quota: { limit: 5, period: 'day' } },
      }),
    );
    await ks.admin(`/v1/keys/${created.id}`, { method: 'PATCH', json: { name: 'billing-2' } });
    const rolled = await json<{ id: string; key: string }>(
      ks.admin(`/v1/keys/${created.id}/roll`, { method: 'POST', json: { gracePeriodSeconds: 60 } }),
    );
    await ks.admin(`/v1/keys/${rolled.id}/revoke`, { method: 'POST' });
    const expiring = await json<{ id: string; key: string }>(
      ks.admin('/v1/keys', {
        method: 'POST',
        json: { environment: 'test', expiresAt: new Date(ks.clock.now() + 1000).toISOString() },
      }),
    );
    ks.clock.advance(1000);
    expect(await ks.app.keys.expireDue()).toBe(1);
    const usage = async (admitted: number) => {
      const entries = [
        {
          keyId: created.id,
          requests: admitted,
          rateLimited: 0,
          admitted,
          lastUsedAt: new Date(ks.clock.now()).toISOString(),
        },
      ];
      expect((await ks.service('/internal/v1/usage', { method: 'POST', json: { entries } })).status).toBe(202);
    };
    await usage(4); // 80 % of 5
    await usage(1); // the limit
    await usage(1); // past it: already announced this period
    const report = { keys: [created.key], url: 'https://github.com/acme/app/blob/main/.env', source: 'gitleaks' };
    for (let i = 0; i < 2; i++) {
      // The second report of the same key changes nothing and sends nothing.
      expect((await ks.admin('/v1/leaks', { method: 'POST', json: report })).status).toBe(200);
    }

    await ks.app.dispatcher.drain();
    const deliveries = await receiver.waitFor(10);
    const payloads = deliveries.map((d) => receiver.verify(d, secret));
    expect(payloads.map((p) => [p.type, p.data.id])).toEqual([
      ['key.created', created.id],
      ['key.updated', created.id],
      ['key.rolled', created.id],
      ['key.created', rolled.id],
      ['key.revoked', rolled.id],
      ['key.created', expiring.id],
      ['key.expired', expiring.id],
      ['quota.warning', created.id],
      ['quota.exceeded', created.id],
      ['key.leaked', created.id],
    ]);
    expect(payloads[0]?.data).toEqual({
      id: created.id,
      name: 'billing',
      environment: 'live',
      hint: `${created.key.slice(0, 8)}…${created.key.slice(-4)}`,
      accountId: ks.store.defaultAccountId,
      ownerId: 'cust_7',
      actor: 'operator',
    });
    expect(payloads[2]?.data).toMatchObject({ successorId: rolled.id });
    expect(payloads[6]?.data).toMatchObject({ actor: 'system' });
    expect(payloads[8]?.data).toMatchObject({ quota: { limit: 5, period: 'day', used: 5 } });
    expect(payloads[9]?.data).toMatchObject({
      actor: 'operator',
      action: 'notify',
      leak: { at: new Date(ks.clock.now()).toISOString(), url: report.url, source: 'gitleaks' },
    });
    const secrets = [created.key, rolled.key, expiring.key].flatMap((key) => [key, hash(key)]);
    for (const d of deliveries) {
      const raw = d.body + JSON.stringify(d.headers);
      for (const s of secrets) expect(raw).not.toContain(s);
      expect(d.headers['content-type']).toBe('application/json');
    }
    // Nothing more arrives: each event once, every delivery marked as such.
    await ks.app.dispatcher.drain();
    expect(receiver.received).toHaveLength(10);
  });

  it('a receiver answering 500 twice gets the event on the third attempt, on the schedule, with the same webhook-id', async () => {
    await using receiver = await startWebhookReceiver();
    await using ks = await startKeystore({ webhookAllowPrivate: true, webhookDelivery: { dispatch: false } });
    ks.clock.set(Date.now());
    const hook = await addWebhook(ks, receiver, ['key.created']);
    receiver.answers.push(500, 503);
    await ks.admin('/v1/keys', { method: 'POST', json: { environment: 'test' } });

    await ks.app.dispatcher.drain();
    expect(receiver.received).toHaveLength(1);
    ks.clock.advance(999);
    await ks.app.dispatcher.drain();
    expect(receiver.received).toHaveLength(1);
    ks.clock.advance(1);
    await ks.app.dispatcher.drain();
    expect(receiver.received).toHaveLength(2);
    ks.clock.advance(5000);
    await ks.app.dispatcher.drain();
    const attempts = await receiver.waitFor(3);
    for (const a of attempts) receiver.verify(a, hook.secret);
    expect(new Set(attempts.map((a) => a.headers['webhook-id'])).size).toBe(1);
    expect(attempts.map((a) => Number(a.headers['webhook-timestamp']))).toEqual(
      [0, 1000, 6000].map((ms) => Math.floor((ks.clock.now() - 6000 + ms) / 1000)),
    );

    const [delivery] = await json<{ status: string; attempts: number; lastResponseStatus: number; eventId: string }[]>(
      ks.admin(`/v1/webhooks/${hook.id}/deliveries`),
    );
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 3, lastResponseStatus: 200, nextAttemptAt: null });
    expect(delivery?.eventId).toBe(attempts[0]?.headers['webhook-id']);
    const metrics = await (await fetch(`${ks.baseUrl}/metrics`)).text();
    expect(metrics).toContain('routemcp_keystore_webhook_attempts_total{outcome="retrying"} 2');
    expect(metrics).toContain('routemcp_keystore_webhook_attempts_total{outcome="delivered"} 1');
    expect(metrics).toContain('routemcp_keystore_webhook_attempts_total{outcome="failed"} 0');
  });

  it('an endpoint failing for 5 days is disabled, with an audit entry, and gets nothing more until turned on again', async () => {
    await using receiver = await startWebhookReceiver();
    await using ks = await startKeystore({ webhookAllowPrivate: true, webhookDelivery: { dispatch: false } });
    ks.clock.set(Date.now());
    const hook = await addWebhook(ks, receiver, ['key.created']);
    receiver.answers.push(...Array.from({ length: 20 }, () => 500));
    await ks.admin('/v1/keys', { method: 'POST', json: { environment: 'test' } });
    await ks.app.dispatcher.drain();
    ks.clock.advance(5 * 86_400_000 - 1);
    await ks.admin('/v1/keys', { method: 'POST', json: { environment: 'test' } });
    await ks.app.dispatcher.drain();
    expect((await json<{ status: string }>(ks.admin(`/v1/webhooks/${hook.id}`))).status).toBe('enabled');
    ks.clock.advance(1);
    await ks.admin('/v1/keys', { method: 'POST', json: { environment: 'test' } });
    await ks.app.dispatcher.drain();
    expect(await json<{ status: string }>(ks.admin(`/v1/webhooks/${hook.id}`))).toMatchObject({ status: 'disabled' });
    const [entry] = await ks.accounts.listAudit({ limit: 1 });
    expect(entry).toMatchObject({ action: 'webhook.disabled', actor: 'system', target: hook.id });
    const sent = receiver.received.length;
    await ks.admin('/v1/keys', { method: 'POST', json: { environment: 'test' } });
    ks.clock.advance(86_400_000);
    await ks.app.dispatcher.drain();
    expect(receiver.received).toHaveLength(sent);

    receiver.answers.length = 0;
    await ks.admin(`/v1/webhooks/${hook.id}`, { method: 'PATCH', json: { disabled: false } });
    await ks.app.dispatcher.drain();
    // What was still pending goes out; what arrived while it was off was never queued for it.
    expect(receiver.received.length).toBeGreaterThan(sent);
    const deliveries = await json<{ status: string }[]>(ks.admin(`/v1/webhooks/${hook.id}/deliveries`));
    expect(deliveries).toHaveLength(3);
  });

  it('with the real dispatcher and a short first retry, a 500 is followed by a delivery that succeeds', async () => {
    await using receiver = await startWebhookReceiver();
    await using ks = await startKeystore({
      clock: followingClock(),
      webhookAllowPrivate: true,
      webhookDelivery: { schedule: [50, 50], pollIntervalMs: 25 },
    });
    const hook = await addWebhook(ks, receiver);
    receiver.answers.push(500);
    await ks.admin('/v1/keys', { method: 'POST', json: { environment: 'test' } });
    const [first, second] = await receiver.waitFor(2);
    expect(second?.headers['webhook-id']).toBe(first?.headers['webhook-id']);
    receiver.verify(second!, hook.secret);
  });

  it('a receiver that hangs does not slow POST /v1/keys: the call answers while the delivery is still open', async () => {
    await using receiver = await startWebhookReceiver();
    await using ks = await startKeystore({ clock: followingClock(), webhookAllowPrivate: true });
    await addWebhook(ks, receiver);
    receiver.answers.push('hang', 'hang');
    expect((await ks.admin('/v1/keys', { method: 'POST', json: { environment: 'test' } })).status).toBe(201);
    await receiver.waitFor(1);
    // The first delivery hangs (the keystore waits up to 10 s for it); the next change is answered meanwhile.
    const res = await ks.admin('/v1/keys', { method: 'POST', json: { environment: 'test' } });
    expect(res.status).toBe(201);
    const [delivery] = await json<{ status: string; attempts: number }[]>(
      ks.admin(`/v1/webhooks/${(await json<{ id: string }[]>(ks.admin('/v1/webhooks')))[0]?.id}/deliveries`),
    );
    expect(delivery).toMatchObject({ attempts: 0, status: 'pending' });
  });
});
