import { describe, expect, it } from 'vitest';
import { newEventId, newWebhookId } from '../ids.ts';
import type { Storage } from '../store/storage.ts';
import { afterAttempt, type NewWebhook, type OutboxEvent } from '../webhooks/webhook-record.ts';
import { fakeClock } from './fake-clock.ts';
import { newKey, type ContractDatabase } from './storage-contract.ts';

const LEASE = 30_000;

function endpoint(accountId: string, overrides: Partial<NewWebhook> = {}): NewWebhook {
  return {
    id: newWebhookId(),
    accountId,
    url: 'https://hooks.example.com/in',
    events: null,
    description: null,
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    ...overrides,
  };
}

const event = (accountId: string, type: OutboxEvent['type'] = 'key.created'): OutboxEvent => ({
  id: newEventId(),
  accountId,
  type,
  body: JSON.stringify({ type, timestamp: '2026-06-01T00:00:00.000Z', data: {} }),
});

const types = async (storage: Storage, webhookId: string) =>
  (await storage.webhooks.listDeliveries(webhookId, 100)).map((d) => d.eventType).reverse();

/** The webhook half of the storage contract: endpoints, the outbox and its claims, on each engine. */
export function runWebhookStoreContract(engine: string, database: () => Promise<ContractDatabase>): void {
  const clock = fakeClock();

  describe(`webhook store contract: ${engine}`, () => {
    it('creates, lists, patches, rotates and deletes endpoints, seen from every connection', async () => {
      await using db = await database();
      const a = await db.open();
      const b = await db.openAnother();
      const account = a.keys.defaultAccountId;
      const now = clock.now();
      const created = await a.webhooks.createWebhook(
        endpoint(account, { events: ['key.revoked', 'key.created'], description: 'billing' }),
        now,
      );
      expect(await b.webhooks.getWebhook(created.id)).toEqual(created);
      expect(created).toMatchObject({ disabledAt: null, failingSince: null, createdAt: now });
      await b.keys.ensureAccount('acct_other', 'Other', now);
      const other = await b.webhooks.createWebhook(endpoint('acct_other'), now + 1);
      expect((await a.webhooks.listWebhooks(account)).map((w) => w.id)).toEqual([created.id]);
      expect((await a.webhooks.listWebhooks(undefined)).map((w) => w.id)).toEqual([created.id, other.id]);

      const patched = await b.webhooks.updateWebhook(created.id, { events: null, disabled: true }, now + 5);
      expect(patched).toMatchObject({ events: null, description: 'billing', disabledAt: now + 5, updatedAt: now + 5 });
      expect(await a.webhooks.getWebhook(created.id)).toEqual(patched);
      expect((await a.webhooks.updateWebhook(created.id, { disabled: false }, now + 6))?.disabledAt).toBeNull();
      expect(await a.webhooks.updateWebhook('wh_missing', { url: 'https://x.example' }, now)).toBeUndefined();

      const rotated = await a.webhooks.setSecret(created.id, 'whsec_bmV3IHNlY3JldCBieXRlcyBoZXJlIQ==', now + 7);
      expect((await b.webhooks.getWebhook(created.id))?.secret).toBe(rotated?.secret);
      expect(await b.webhooks.deleteWebhook(created.id)).toBe(true);
      expect(await a.webhooks.deleteWebhook(created.id)).toBe(false);
      expect(await a.webhooks.getWebhook(created.id)).toBeUndefined();
    });

    it('writes each key change into the outbox in its own transaction, for the subscribed enabled endpoints of its account', async () => {
      await using db = await database();
      const a = await db.open();
      const b = await db.openAnother();
      const account = a.keys.defaultAccountId;
      const now = clock.now();
      const all = await a.webhooks.createWebhook(endpoint(account), now);
      const revokes = await a.webhooks.createWebhook(endpoint(account, { events: ['key.revoked'] }), now);
      const off = await a.webhooks.createWebhook(endpoint(account), now);
      await a.webhooks.updateWebhook(off.id, { disabled: true }, now);
      await a.keys.ensureAccount('acct_other', 'Other', now);
      const elsewhere = await a.webhooks.createWebhook(endpoint('acct_other'), now);

      const key = await b.keys.createKey(
        newKey(account, { quota: { limit: 10, period: 'day', shared: false } }),
        now,
        'dev@example.com',
      );
      await b.keys.updateKey(key.id, { name: 'renamed' }, now, undefined, 'operator');
      const rolled = await a.keys.rollKey(
        key.id,
        { id: 'key_successor000000000000000', hash: 'f'.repeat(64), hint: 'sk_live_…ffff' },
        now + 60_000,
        now,
        'cli',
      );
      expect(rolled.ok).toBe(true);
      await a.keys.revokeKey(key.id, now, 'dev@example.com');
      expect(await types(b, all.id)).toEqual([
        'key.created',
        'key.updated',
        'key.rolled',
        'key.created',
        'key.revoked',
      ]);
      expect(await types(b, revokes.id)).toEqual(['key.revoked']);
      expect(await types(b, off.id)).toEqual([]);
      expect(await types(b, elsewhere.id)).toEqual([]);

      const deliveries = await a.webhooks.listDeliveries(all.id, 100);
      const first = deliveries.at(-1)!;
      expect(first).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now });
      expect(first.eventId).toMatch(/^msg_[0-9A-Za-z]{24}$/);
      const body = JSON.parse(first.body) as { type: string; timestamp: string; data: Record<string, unknown> };
      expect(body).toEqual({
        type: 'key.created',
        timestamp: new Date(now).toISOString(),
        data: {
          id: key.id,
          name: null,
          environment: 'live',
          hint: key.hint,
          accountId: account,
          ownerId: null,
          actor: 'dev@example.com',
        },
      });
      for (const d of deliveries) expect(d.body).not.toContain(key.hash);
      const rolledBody = JSON.parse(deliveries.find((d) => d.eventType === 'key.rolled')!.body) as {
        data: Record<string, unknown>;
      };
      expect(rolledBody.data).toMatchObject({ id: key.id, actor: 'cli', successorId: 'key_successor000000000000000' });
      // The one event every endpoint of the account gets carries one id for all of them.
      const revokedIds = [deliveries[0]!, (await a.webhooks.listDeliveries(revokes.id, 1))[0]!].map((d) => d.eventId);
      expect(new Set(revokedIds).size).toBe(1);

      // A change that rolls back takes its deliveries with it: this roll's `key.rolled` row is written before its
      // successor's insert fails.
      const other = await a.keys.createKey(newKey(account), now);
      const colliding = { id: 'key_collision0000000000000', hash: key.hash, hint: key.hint };
      await expect(b.keys.rollKey(other.id, colliding, now, now)).rejects.toThrow();
      expect(await types(a, all.id)).toHaveLength(6);
    });

    it('announces an expiry and each quota level once per period, also when two connections see it', async () => {
      await using db = await database();
      const a = await db.open();
      const b = await db.openAnother();
      const account = a.keys.defaultAccountId;
      const now = clock.now();
      const hook = await a.webhooks.createWebhook(endpoint(account), now);
      const key = await a.keys.createKey(newKey(account, { expiresAt: now + 1000 }), now);
      await Promise.all([a.keys.expireDue(now + 1000), b.keys.expireDue(now + 1000)]);
      const plain = await a.keys.createKey(newKey(account), now);
      const limited = await a.keys.createKey(
        newKey(account, { quota: { limit: 5, period: 'day', shared: false } }),
        now,
      );
      expect((await b.keys.keysWithQuota([key.id, plain.id, limited.id, 'key_missing'])).map((k) => k.id)).toEqual([
        limited.id,
      ]);
      expect(await b.keys.keysWithQuota([])).toEqual([]);
      const quota = { limit: 10, period: 'day', used: 8 };
      const crossing = { keyId: key.id, level: 'warning' as const, periodStart: now, quota };
      const later = now + 1000;
      const marks = await Promise.all([
        a.keys.markQuotaCrossing(crossing, later),
        b.keys.markQuotaCrossing(crossing, later),
      ]);
      expect(marks.sort()).toEqual([false, true]);
      expect(await a.keys.markQuotaCrossing({ ...crossing, level: 'exceeded' }, later)).toBe(true);
      expect(await b.keys.markQuotaCrossing({ ...crossing, periodStart: now + 86_400_000 }, later)).toBe(true);
      expect(await types(a, hook.id)).toEqual([
        'key.created',
        'key.created',
        'key.created',
        'key.expired',
        'quota.warning',
        'quota.exceeded',
        'quota.warning',
      ]);
      const warning = (await a.webhooks.listDeliveries(hook.id, 100)).find((d) => d.eventType === 'quota.warning')!;
      expect((JSON.parse(warning.body) as { data: unknown }).data).toMatchObject({
        id: key.id,
        actor: 'system',
        quota,
      });
    });

    it('hands each due delivery to one claimer at a time, and to another when its lease lapses', async () => {
      await using db = await database();
      const a = await db.open();
      const b = await db.openAnother();
      const account = a.keys.defaultAccountId;
      const now = clock.now();
      const hook = await a.webhooks.createWebhook(endpoint(account, { url: 'https://a.example/in' }), now);
      for (let i = 0; i < 12; i++) expect(await a.webhooks.enqueue(event(account), now)).toBe(1);
      expect(await a.webhooks.claimDue(now - 1, LEASE, 50)).toEqual([]);

      const [x, y] = await Promise.all([a.webhooks.claimDue(now, LEASE, 8), b.webhooks.claimDue(now, LEASE, 8)]);
      const ids = [...x, ...y].map((c) => c.id);
      expect(ids).toHaveLength(12);
      expect(new Set(ids).size).toBe(12);
      expect(x[0]).toMatchObject({
        webhookId: hook.id,
        url: 'https://a.example/in',
        secret: hook.secret,
        attempts: 0,
        leaseUntil: now + LEASE,
      });
      expect(await b.webhooks.claimDue(now + LEASE - 1, LEASE, 50)).toEqual([]);

      // The holder died: after its lease anyone takes them, and the late holder can no longer record.
      const again = await b.webhooks.claimDue(now + LEASE, LEASE, 50);
      expect(again).toHaveLength(12);
      const late = x[0]!;
      const done = afterAttempt(1, { ok: true, responseStatus: 200 }, now + LEASE);
      const record = { ...done, outcome: { ok: true as const, responseStatus: 200 }, disableAfterMs: 1000 };
      expect(await a.webhooks.finishAttempt(late, record, now + LEASE)).toBeUndefined();
      expect((await b.webhooks.getDelivery(late.id))?.status).toBe('pending');
      const current = again.find((c) => c.id === late.id)!;
      await b.webhooks.finishAttempt(current, record, now + LEASE);
      expect(await a.webhooks.getDelivery(late.id)).toMatchObject({
        status: 'succeeded',
        attempts: 1,
        nextAttemptAt: null,
        lastResponseStatus: 200,
        lastError: null,
        lastAttemptAt: now + LEASE,
      });
    });

    it('schedules a failed attempt again, disables an endpoint after its failure run, and retries on request', async () => {
      await using db = await database();
      const a = await db.open();
      const b = await db.openAnother();
      const account = a.keys.defaultAccountId;
      const t = clock.now();
      const hook = await a.webhooks.createWebhook(endpoint(account), t);
      await a.webhooks.enqueue(event(account), t);
      const fail = { ok: false as const, responseStatus: 500, error: null };
      const attempt = async (at: number) => {
        const [claim] = await b.webhooks.claimDue(at, LEASE, 1);
        if (claim === undefined) throw new Error(`nothing due at ${at}`);
        const next = afterAttempt(claim.attempts + 1, fail, at, [1000, 1000]);
        return a.webhooks.finishAttempt(claim, { ...next, outcome: fail, disableAfterMs: 1500 }, at);
      };
      expect(await attempt(t)).toBeUndefined();
      expect(await b.webhooks.getWebhook(hook.id)).toMatchObject({ failingSince: t, disabledAt: null });
      const [delivery] = await a.webhooks.listDeliveries(hook.id, 1);
      expect(delivery).toMatchObject({
        status: 'pending',
        attempts: 1,
        nextAttemptAt: t + 1000,
        lastResponseStatus: 500,
      });
      expect(await a.webhooks.claimDue(t + 999, LEASE, 1)).toEqual([]);
      expect(await attempt(t + 1000)).toBeUndefined();
      const disabled = await attempt(t + 2000);
      expect(disabled).toMatchObject({ id: hook.id, disabledAt: t + 2000, failingSince: t });
      expect(await a.webhooks.getDelivery(delivery!.id)).toMatchObject({
        status: 'failed',
        attempts: 3,
        nextAttemptAt: null,
      });

      // Disabled: new events pass it by, and nothing of it is claimed until it is on again.
      await a.webhooks.enqueue(event(account), t + 2000);
      expect(await a.webhooks.listDeliveries(hook.id, 100)).toHaveLength(1);
      expect(await b.webhooks.retryDelivery(delivery!.id, t + 3000)).toMatchObject({
        status: 'pending',
        nextAttemptAt: t + 3000,
      });
      expect(await a.webhooks.claimDue(t + 3000, LEASE, 5)).toEqual([]);
      await a.webhooks.updateWebhook(hook.id, { disabled: false }, t + 3000);
      expect((await a.webhooks.claimDue(t + 3000, LEASE, 5)).map((c) => c.id)).toEqual([delivery!.id]);
      expect(await b.webhooks.retryDelivery('dlv_missing', t)).toBeUndefined();
    });

    it('prunes deliveries that ended before a time, never a pending one', async () => {
      await using db = await database();
      const a = await db.open();
      const b = await db.openAnother();
      const account = a.keys.defaultAccountId;
      const t = clock.now();
      const hook = await a.webhooks.createWebhook(endpoint(account), t);
      await a.webhooks.enqueue(event(account), t);
      await a.webhooks.enqueue(event(account), t);
      const [claim] = await a.webhooks.claimDue(t, LEASE, 1);
      const ok = { ok: true as const, responseStatus: 204 };
      await a.webhooks.finishAttempt(claim!, { ...afterAttempt(1, ok, t), outcome: ok, disableAfterMs: 1000 }, t);
      expect(await b.webhooks.pruneDeliveries(t)).toBe(0);
      expect(await b.webhooks.pruneDeliveries(t + 1)).toBe(1);
      expect((await a.webhooks.listDeliveries(hook.id, 10)).map((d) => d.status)).toEqual(['pending']);
    });
  });
}
