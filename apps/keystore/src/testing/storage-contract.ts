import { describe, expect, it } from 'vitest';
import { makeTestKey } from '@routemcp/api-key/testing';
import { newKeyId, newUserId } from '../ids.ts';
import type { NewKey } from '../store/key-store.ts';
import type { Storage } from '../store/storage.ts';
import { fakeClock } from './fake-clock.ts';

/** One database per test: `open()` its first connection, `openAnother()` a second one (the CLI, another replica). */
export interface ContractDatabase extends AsyncDisposable {
  open(): Promise<Storage>;
  openAnother(): Promise<Storage>;
}

const HOUR = 3_600_000;

export function newKey(accountId: string, overrides: Partial<NewKey> = {}): NewKey {
  const key = makeTestKey('live');
  return {
    id: newKeyId(),
    accountId,
    environment: 'live',
    hash: key.hash,
    hint: key.hint,
    name: null,
    rateLimit: null,
    expiresAt: null,
    rolledFrom: null,
    ...overrides,
  };
}

/**
 * What every storage adapter promises, run against each engine: the SQLite
 * file in the unit suite, a real PostgreSQL in the integration suite.
 */
export function runStorageContract(engine: string, database: () => Promise<ContractDatabase>): void {
  const clock = fakeClock();

  describe(`storage contract: ${engine}`, () => {
    it('migrates a new database once: an epoch, a default account; reopening keeps them and the data', async () => {
      await using db = await database();
      const storage = await db.open();
      expect(storage.migrationsApplied).toBeGreaterThan(0);
      expect(storage.keys.epoch).toMatch(/^[0-9A-Za-z]{16}$/);
      expect(storage.keys.defaultAccountId).toMatch(/^acct_[0-9A-Za-z]+$/);
      expect(await storage.keys.hasAccount(storage.keys.defaultAccountId)).toBe(true);
      const created = await storage.keys.createKey(newKey(storage.keys.defaultAccountId), clock.now());

      const again = await db.openAnother();
      expect(again.migrationsApplied).toBe(0);
      expect(again.keys.epoch).toBe(storage.keys.epoch);
      expect(again.keys.defaultAccountId).toBe(storage.keys.defaultAccountId);
      expect(await again.keys.getKey(created.id)).toEqual(created);
      await again.ping();
    });

    it('writes a created event with the key, and sees writes from another connection', async () => {
      await using db = await database();
      const a = await db.open();
      const b = await db.openAnother();
      const key = await a.keys.createKey(newKey(a.keys.defaultAccountId), clock.now());
      expect(await b.keys.eventsAfter(0, 10)).toEqual([
        { seq: 1, type: 'created', keyId: key.id, keyHash: key.hash, at: clock.now() },
      ]);
      expect(await b.keys.findByHash(key.hash)).toEqual(key);
      expect(await b.keys.latestSeq()).toBe(1);
      const other = await b.keys.createKey(newKey(b.keys.defaultAccountId), clock.now());
      expect((await a.keys.eventsAfter(1, 10)).map((e) => [e.seq, e.keyId])).toEqual([[2, other.id]]);
    });

    it('rolls back a change and its event together', async () => {
      await using db = await database();
      const { keys } = await db.open();
      const first = await keys.createKey(newKey(keys.defaultAccountId), clock.now());
      await expect(keys.createKey(newKey(keys.defaultAccountId, { hash: first.hash }), clock.now())).rejects.toThrow();
      expect(await keys.latestSeq()).toBe(1);

      // The roll's new key collides: the old key must stay untouched and no `rolled` event may exist.
      const other = await keys.createKey(newKey(keys.defaultAccountId), clock.now());
      await expect(
        keys.rollKey(other.id, newKey(keys.defaultAccountId, { hash: first.hash }), clock.now(), clock.now()),
      ).rejects.toThrow();
      expect((await keys.getKey(other.id))?.revokedAt).toBeNull();
      expect((await keys.eventsAfter(0, 10)).map((e) => e.type)).toEqual(['created', 'created']);
    });

    it('revokes idempotently, with one event', async () => {
      await using db = await database();
      const { keys } = await db.open();
      const key = await keys.createKey(newKey(keys.defaultAccountId), clock.now());
      const first = await keys.revokeKey(key.id, clock.now());
      const second = await keys.revokeKey(key.id, clock.now() + 1000);
      expect(first).toEqual(second);
      expect((await keys.eventsAfter(1, 10)).map((e) => e.type)).toEqual(['revoked']);
      expect(await keys.revokeKey('key_missing', clock.now())).toEqual({ ok: false, reason: 'not_found' });
    });

    it('rolls: a new key now, the old one ends at the grace period and never later than its own expiry', async () => {
      await using db = await database();
      const { keys } = await db.open();
      const now = clock.now();
      const old = await keys.createKey(newKey(keys.defaultAccountId, { expiresAt: now + 5000 }), now);
      const rolled = await keys.rollKey(
        old.id,
        newKey(keys.defaultAccountId, { rolledFrom: old.id }),
        now + 60_000,
        now,
      );
      if (!rolled.ok) throw new Error('roll failed');
      expect(rolled.old.expiresAt).toBe(now + 5000);
      expect((await keys.getKey(rolled.created.id))?.rolledFrom).toBe(old.id);
      expect((await keys.eventsAfter(1, 10)).map((e) => e.type)).toEqual(['rolled', 'created']);
      await keys.revokeKey(rolled.created.id, now);
      const next = newKey(keys.defaultAccountId);
      expect(await keys.rollKey(rolled.created.id, next, now, now)).toEqual({ ok: false, reason: 'revoked' });
    });

    it('updates name and limits, with an event', async () => {
      await using db = await database();
      const { keys } = await db.open();
      const key = await keys.createKey(newKey(keys.defaultAccountId), clock.now());
      const rateLimit = { capacity: 10, refillPerSecond: 0.5 };
      expect(await keys.updateKey(key.id, { name: 'renamed', rateLimit }, clock.now())).toMatchObject({
        name: 'renamed',
        rateLimit,
      });
      expect(await keys.getKey(key.id)).toMatchObject({ name: 'renamed', rateLimit });
      expect(await keys.updateKey(key.id, { rateLimit: null }, clock.now())).toMatchObject({
        name: 'renamed',
        rateLimit: null,
      });
      expect(await keys.updateKey('key_missing', { name: 'x' }, clock.now())).toBeUndefined();
      expect((await keys.eventsAfter(1, 10)).map((e) => e.type)).toEqual(['updated', 'updated']);
    });

    it('announces an expiry once, also when two connections run the pass', async () => {
      await using db = await database();
      const a = await db.open();
      const b = await db.openAnother();
      const key = await a.keys.createKey(
        newKey(a.keys.defaultAccountId, { expiresAt: clock.now() + 1000 }),
        clock.now(),
      );
      expect(await a.keys.expireDue(clock.now())).toBe(0);
      const due = clock.now() + 1000;
      const counts = await Promise.all([a.keys.expireDue(due), b.keys.expireDue(due)]);
      expect(counts.sort()).toEqual([0, 1]);
      expect(await a.keys.expireDue(due)).toBe(0);
      expect(await a.keys.eventsAfter(1, 10)).toMatchObject([{ type: 'expired', keyId: key.id }]);
    });

    it('prunes old events and remembers how far', async () => {
      await using db = await database();
      const { keys } = await db.open();
      for (let i = 0; i < 5; i++) await keys.createKey(newKey(keys.defaultAccountId), clock.now());
      expect(await keys.pruneEvents(2)).toBe(3);
      expect(await keys.prunedThrough()).toBe(3);
      expect((await keys.eventsAfter(0, 10)).map((e) => e.seq)).toEqual([4, 5]);
      expect(await keys.pruneEvents(2)).toBe(0);
      expect(await keys.latestSeq()).toBe(5);
    });

    it('lists newest first with filters', async () => {
      await using db = await database();
      const { keys } = await db.open();
      const t = clock.now();
      const a = await keys.createKey(newKey(keys.defaultAccountId), t);
      const b = await keys.createKey(newKey(keys.defaultAccountId, { environment: 'test' }), t + 1);
      const c = await keys.createKey(newKey(keys.defaultAccountId, { expiresAt: t + 12 }), t + 2);
      await keys.revokeKey(a.id, t + 2);
      await keys.ensureAccount('acct_other', 'Other', t);
      const d = await keys.createKey(newKey('acct_other'), t + 3);
      const ids = async (filter: Parameters<typeof keys.listKeys>[0], now = t + 2) =>
        (await keys.listKeys(filter, now)).map((k) => k.id);
      expect(await ids({})).toEqual([d.id, c.id, b.id, a.id]);
      expect(await ids({ accountId: 'acct_other' })).toEqual([d.id]);
      expect(await ids({ environment: 'test' })).toEqual([b.id]);
      expect(await ids({ status: 'revoked' })).toEqual([a.id]);
      expect(await ids({ status: 'expiring' })).toEqual([c.id]);
      expect(await ids({ status: 'expired' }, t + 12)).toEqual([c.id]);
      expect(await ids({ status: 'active', accountId: keys.defaultAccountId })).toEqual([b.id]);
    });

    it('creates an account once', async () => {
      await using db = await database();
      const { keys } = await db.open();
      expect(await keys.hasAccount('acct_new')).toBe(false);
      expect(await keys.ensureAccount('acct_new', 'New', clock.now())).toBe(true);
      expect(await keys.ensureAccount('acct_new', 'New', clock.now())).toBe(false);
      expect(await keys.hasAccount('acct_new')).toBe(true);
    });

    it('adds usage batches to hourly rows and keeps the latest lastUsedAt, from any connection', async () => {
      await using db = await database();
      const a = await db.open();
      const b = await db.openAnother();
      const key = await a.keys.createKey(newKey(a.keys.defaultAccountId), clock.now());
      const at = clock.now();
      const batch = [
        { keyId: key.id, requests: 3, rateLimited: 1, lastUsedAt: at },
        { keyId: key.id, requests: 2, rateLimited: 0, lastUsedAt: at - 5000 },
        { keyId: 'key_unknown', requests: 9, rateLimited: 0, lastUsedAt: at },
      ];
      const recorded = await Promise.all([a.keys.recordUsage(batch, at), b.keys.recordUsage(batch, at)]);
      expect(recorded).toEqual([2, 2]);
      expect((await b.keys.getKey(key.id))?.lastUsedAt).toBe(at);
      const hour = Math.floor(at / HOUR) * HOUR;
      expect(await b.accounts.usageSince([key.id], hour)).toEqual([
        { keyId: key.id, hour, requests: 10, rateLimited: 2 },
      ]);
      expect(await b.accounts.usageSince([key.id], hour + HOUR)).toEqual([]);
      expect(await a.keys.recordUsage([], at)).toBe(0);
    });

    it('keeps users, sessions and the audit log where every connection sees them', async () => {
      await using db = await database();
      const a = await db.open();
      const b = await db.openAnother();
      const accountId = a.keys.defaultAccountId;
      const now = clock.now();
      expect(await a.accounts.userCount()).toBe(0);
      const user = await a.accounts.createUser(
        { id: newUserId(), accountId, email: 'dev@example.com', passwordHash: 'h' },
        now,
      );
      expect(user).toMatchObject({ email: 'dev@example.com', createdAt: now });
      expect(
        await b.accounts.createUser({ id: newUserId(), accountId, email: 'dev@example.com', passwordHash: 'x' }, now),
      ).toBeUndefined();
      expect(await b.accounts.findUserByEmail('dev@example.com')).toEqual(user);
      expect(await b.accounts.userCount()).toBe(1);

      const session = {
        idHash: 'f'.repeat(64),
        userId: user!.id,
        csrfToken: 'csrf',
        createdAt: now,
        lastSeenAt: now,
        expiresAt: now + 1000,
      };
      await a.accounts.createSession(session);
      expect(await b.accounts.findSession(session.idHash)).toEqual({ ...session, user });
      await b.accounts.touchSession(session.idHash, now + 10);
      expect((await a.accounts.findSession(session.idHash))?.lastSeenAt).toBe(now + 10);
      expect(await a.accounts.deleteExpiredSessions(now + 999)).toBe(0);
      expect(await a.accounts.deleteExpiredSessions(now + 1000)).toBe(1);
      expect(await b.accounts.findSession(session.idHash)).toBeUndefined();

      const entry = { accountId, actor: 'dev@example.com', target: null, address: '10.0.0.1', at: now } as const;
      await a.accounts.appendAudit({ ...entry, action: 'login' });
      await b.accounts.appendAudit({ ...entry, action: 'logout' });
      await b.accounts.appendAudit({ ...entry, accountId: null, action: 'login.failed' });
      const mine = await a.accounts.listAudit({ accountId, limit: 10 });
      expect(mine.map((e) => e.action)).toEqual(['logout', 'login']);
      expect((await a.accounts.listAudit({ limit: 10 })).map((e) => e.action)).toEqual([
        'login.failed',
        'logout',
        'login',
      ]);
      expect(mine[0]).toMatchObject({ ...entry, action: 'logout' });
    });

    it('counts login failures once across connections: concurrent failures lock exactly once', async () => {
      await using db = await database();
      const a = await db.open();
      const b = await db.openAnother();
      const policy = { maxFailures: 6, windowMs: 60_000, lockMs: 300_000 };
      const now = clock.now();
      const locks = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? a : b).failures.recordFailure('email:x@y', now, policy)),
      );
      expect(locks.filter(Boolean)).toHaveLength(1);
      expect(await a.failures.lockedUntil('email:x@y')).toBe(now + 300_000);
      expect(await b.failures.lockedUntil('email:other@y')).toBe(0);

      await b.failures.recordFailure('address:10.0.0.1', now, policy);
      await a.failures.clear('address:10.0.0.1');
      expect(await b.failures.prune(now + 1)).toBe(0);
      expect(await b.failures.prune(now + 300_001)).toBe(1);
      expect(await a.failures.lockedUntil('email:x@y')).toBe(0);
    });
  });
}
