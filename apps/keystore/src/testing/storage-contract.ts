import { describe, expect, it } from 'vitest';
import { makeTestKey } from '@routemcp/api-key/testing';
import { releaseSlot, reserveSlot } from '../accounts/failure-store.ts';
import { newKeyId, newUserId } from '../ids.ts';
import { runAccountContract } from './account-contract.ts';
import { NO_POLICIES, type KeyPolicies } from '../keys/key-record.ts';
import type { NewKey, Successor } from '../store/key-store.ts';
import type { Storage } from '../store/storage.ts';
import { runAuditContract } from './audit-contract.ts';
import { runTokenStorageContract } from './storage-contract-tokens.ts';
import { fakeClock } from './fake-clock.ts';
import { runWebhookStoreContract } from './webhook-store-contract.ts';

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
    ...NO_POLICIES,
    ...overrides,
  };
}

/** One of everything, as the management API would store it. */
export const POLICIES = {
  ownerId: 'cust_42',
  permissions: ['GET /api/v1/contacts', '* /api/v1/deals/**'],
  allowedIps: ['10.0.0.0/8', '2001:db8::/32'],
  rateLimits: [
    { name: 'burst', capacity: 10, refillPerSecond: 5, shared: false, shadow: false },
    { name: 'owner', capacity: 100, refillPerSecond: 1.5, shared: true, shadow: true },
  ],
  quota: { limit: 1000, period: 'month', shared: true },
  metadata: { plan: 'pro', zeta: 1, alpha: [true, null, { ü: 'ß' }] },
} satisfies KeyPolicies;

const successor = (): Successor => {
  const key = makeTestKey('live');
  return { id: newKeyId(), hash: key.hash, hint: key.hint };
};

/**
 * What every storage adapter promises, run against each engine: the SQLite
 * file in the unit suite, a real PostgreSQL in the integration suite.
 */
export function runStorageContract(engine: string, database: () => Promise<ContractDatabase>): void {
  const clock = fakeClock();
  runAuditContract(engine, database);
  runWebhookStoreContract(engine, database);
  runTokenStorageContract(engine, database);

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
        keys.rollKey(other.id, { id: newKeyId(), hash: first.hash, hint: first.hint }, clock.now(), clock.now()),
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
      const rolled = await keys.rollKey(old.id, successor(), now + 60_000, now);
      if (!rolled.ok) throw new Error('roll failed');
      expect(rolled.old.expiresAt).toBe(now + 5000);
      expect((await keys.getKey(rolled.created.id))?.rolledFrom).toBe(old.id);
      expect((await keys.eventsAfter(1, 10)).map((e) => e.type)).toEqual(['rolled', 'created']);
      await keys.revokeKey(rolled.created.id, now);
      expect(await keys.rollKey(rolled.created.id, successor(), now, now)).toEqual({ ok: false, reason: 'revoked' });
    });

    it('rolls a key into one with the same settings, policies and expiry; an expired key is not rolled', async () => {
      await using db = await database();
      const a = await db.open();
      const b = await db.openAnother();
      const now = clock.now();
      const old = await a.keys.createKey(
        newKey(a.keys.defaultAccountId, { ...POLICIES, expiresAt: now + 86_400_000 }),
        now,
      );
      const next = successor();
      const rolled = await b.keys.rollKey(old.id, next, now + 60_000, now);
      if (!rolled.ok) throw new Error('roll failed');
      const expected = {
        ...next,
        accountId: old.accountId,
        environment: old.environment,
        name: old.name,
        rateLimit: old.rateLimit,
        ...POLICIES,
        expiresAt: now + 86_400_000,
        rolledFrom: old.id,
        createdAt: now,
        revokedAt: null,
        lastUsedAt: null,
        leak: null,
      };
      expect(rolled.created).toEqual(expected);
      expect(await a.keys.getKey(next.id)).toEqual(expected);
      expect(rolled.old.expiresAt).toBe(now + 60_000);

      const expired = await a.keys.createKey(newKey(a.keys.defaultAccountId, { expiresAt: now + 1000 }), now);
      const seq = await a.keys.latestSeq();
      expect(await a.keys.rollKey(expired.id, successor(), now + 60_000, now + 1000)).toEqual({
        ok: false,
        reason: 'expired',
      });
      expect(await a.keys.latestSeq()).toBe(seq);
    });

    it('updates name and limits, with an event', async () => {
      await using db = await database();
      const { keys } = await db.open();
      const key = await keys.createKey(newKey(keys.defaultAccountId), clock.now());
      const rateLimit = { capacity: 10, refillPerSecond: 0.5 };
      expect(await keys.updateKey(key.id, { name: 'renamed', rateLimit }, clock.now())).toMatchObject({
        ok: true,
        key: { name: 'renamed', rateLimit },
      });
      expect(await keys.getKey(key.id)).toMatchObject({ name: 'renamed', rateLimit });
      expect(await keys.updateKey(key.id, { rateLimit: null }, clock.now())).toMatchObject({
        ok: true,
        key: { name: 'renamed', rateLimit: null },
      });
      expect(await keys.updateKey('key_missing', { name: 'x' }, clock.now())).toEqual({
        ok: false,
        reason: 'not_found',
      });
      expect((await keys.eventsAfter(1, 10)).map((e) => e.type)).toEqual(['updated', 'updated']);
    });

    it('stores every policy, shows it to every connection, and lists it', async () => {
      await using db = await database();
      const a = await db.open();
      const b = await db.openAnother();
      const key = await a.keys.createKey(newKey(a.keys.defaultAccountId, POLICIES), clock.now());
      expect(key).toMatchObject(POLICIES);
      expect(await b.keys.getKey(key.id)).toEqual(key);
      expect(await b.keys.findByHash(key.hash)).toEqual(key);
      expect(await b.keys.listKeys({}, clock.now())).toEqual([key]);
      // Metadata comes back byte for byte: the proxy forwards its JSON as it was given.
      expect(JSON.stringify((await b.keys.getKey(key.id))?.metadata)).toBe(JSON.stringify(POLICIES.metadata));
    });

    it('patches policies: a field left out stays, null clears, each change an event; a refused patch writes nothing', async () => {
      await using db = await database();
      const a = await db.open();
      const b = await db.openAnother();
      const key = await a.keys.createKey(newKey(a.keys.defaultAccountId, POLICIES), clock.now());
      const narrowed = await a.keys.updateKey(
        key.id,
        { permissions: ['GET /api/v1/contacts'], allowedIps: null, quota: { limit: 5, period: 'day', shared: false } },
        clock.now(),
      );
      const expected = {
        ...key,
        permissions: ['GET /api/v1/contacts'],
        allowedIps: null,
        quota: { limit: 5, period: 'day', shared: false },
      };
      expect(narrowed).toEqual({ ok: true, key: expected });
      expect(await b.keys.getKey(key.id)).toEqual(expected);

      const seq = await a.keys.latestSeq();
      const seen: unknown[] = [];
      const refused = await b.keys.updateKey(key.id, { ownerId: null, metadata: null }, clock.now(), (next) => {
        seen.push(next);
        return 'ownerId: still needed';
      });
      expect(refused).toEqual({ ok: false, reason: 'invalid', message: 'ownerId: still needed' });
      expect(seen).toEqual([{ ...expected, ownerId: null, metadata: null }]);
      expect(await a.keys.getKey(key.id)).toEqual(expected);
      expect(await a.keys.latestSeq()).toBe(seq);
      expect((await a.keys.eventsAfter(1, 10)).map((e) => [e.type, e.keyId])).toEqual([['updated', key.id]]);
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
        { keyId: key.id, requests: 3, rateLimited: 1, admitted: 2, lastUsedAt: at },
        { keyId: key.id, requests: 2, rateLimited: 0, admitted: 1, lastUsedAt: at - 5000 },
        { keyId: 'key_unknown', requests: 9, rateLimited: 0, admitted: 9, lastUsedAt: at },
      ];
      const recorded = await Promise.all([a.keys.recordUsage(batch, at), b.keys.recordUsage(batch, at)]);
      expect(recorded).toEqual([2, 2]);
      expect((await b.keys.getKey(key.id))?.lastUsedAt).toBe(at);
      const hour = Math.floor(at / HOUR) * HOUR;
      expect(await b.accounts.usageSince([key.id], hour)).toEqual([
        { keyId: key.id, hour, requests: 10, rateLimited: 2, admitted: 6 },
      ]);
      expect(await b.accounts.usageSince([key.id], hour + HOUR)).toEqual([]);
      expect(await a.keys.recordUsage([], at)).toBe(0);
    });

    it('sums admitted requests for a quota: the key and the keys it was rolled from, or every key of an owner', async () => {
      await using db = await database();
      const a = await db.open();
      const b = await db.openAnother();
      const account = a.keys.defaultAccountId;
      const t0 = Date.parse('2026-06-01T00:00:00.000Z');
      const first = await a.keys.createKey(newKey(account, { ownerId: 'cust_1' }), t0);
      const sibling = await a.keys.createKey(newKey(account, { ownerId: 'cust_1' }), t0);
      const stranger = await a.keys.createKey(newKey(account, { ownerId: 'cust_2' }), t0);
      const use = (keyId: string, admitted: number, at: number) =>
        a.keys.recordUsage([{ keyId, requests: admitted + 1, rateLimited: 1, admitted, lastUsedAt: at }], at);
      await use(first.id, 5, t0 - HOUR); // before the period
      await use(first.id, 7, t0 + 10 * 60_000);
      await use(sibling.id, 11, t0 + 2 * HOUR);
      await use(stranger.id, 1000, t0 + 2 * HOUR);
      const rolled = await a.keys.rollKey(first.id, successor(), t0 + 3 * HOUR, t0 + 3 * HOUR);
      if (!rolled.ok) throw new Error('roll failed');
      const again = await b.keys.rollKey(rolled.created.id, successor(), t0 + 4 * HOUR, t0 + 4 * HOUR);
      if (!again.ok) throw new Error('roll failed');
      await use(rolled.created.id, 13, t0 + 3 * HOUR);
      await use(again.created.id, 17, t0 + 5 * HOUR);

      expect(await b.keys.admittedSince({ keyId: first.id }, t0)).toBe(7);
      expect(await b.keys.admittedSince({ keyId: first.id }, t0 - HOUR)).toBe(12);
      expect(await b.keys.admittedSince({ keyId: again.created.id }, t0)).toBe(7 + 13 + 17);
      expect(await b.keys.admittedSince({ keyId: sibling.id }, t0)).toBe(11);
      // The successors inherit ownerId, so the owner's sum holds every key of the chain.
      expect(await b.keys.admittedSince({ ownerId: 'cust_1' }, t0)).toBe(7 + 11 + 13 + 17);
      expect(await b.keys.admittedSince({ ownerId: 'cust_1' }, t0 + 4 * HOUR)).toBe(17);
      expect(await b.keys.admittedSince({ ownerId: 'cust_none' }, t0)).toBe(0);
      expect(await b.keys.admittedSince({ keyId: 'key_missing' }, t0)).toBe(0);
    });

    it('keeps users, sessions and the audit log where every connection sees them', async () => {
      await using db = await database();
      const a = await db.open();
      const b = await db.openAnother();
      const accountId = a.keys.defaultAccountId;
      const now = clock.now();
      expect(await a.accounts.userCount()).toBe(0);
      const user = await a.accounts.createUser(
        { id: newUserId(), accountId, email: 'dev@example.com', passwordHash: 'h', role: 'developer' },
        now,
      );
      expect(user).toMatchObject({ email: 'dev@example.com', role: 'developer', createdAt: now, lastLoginAt: null });
      expect(
        await b.accounts.createUser(
          { id: newUserId(), accountId, email: 'dev@example.com', passwordHash: 'x', role: 'owner' },
          now,
        ),
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

    it('replaces a password hash only while it is the one read (a rehash never overwrites a newer hash)', async () => {
      await using db = await database();
      const a = await db.open();
      const b = await db.openAnother();
      const accountId = a.keys.defaultAccountId;
      const user = await a.accounts.createUser(
        { id: newUserId(), accountId, email: 'dev@example.com', passwordHash: 'old', role: 'owner' },
        clock.now(),
      );
      expect(await b.accounts.replacePasswordHash(user!.id, 'old', 'new')).toBe(true);
      expect(await a.accounts.replacePasswordHash(user!.id, 'old', 'other')).toBe(false);
      expect((await a.accounts.findUserByEmail('dev@example.com'))?.passwordHash).toBe('new');
    });

    runAccountContract(database);

    it('reserves login slots once across connections: of 40 at once, exactly the limit are granted, one locking', async () => {
      await using db = await database();
      const a = await db.open();
      const b = await db.openAnother();
      const policy = { maxFailures: 5, windowMs: 60_000, lockMs: 300_000 };
      const now = clock.now();
      const slots = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 === 0 ? a : b).failures.update('email:x@y', (current) => reserveSlot(current, now, policy)),
        ),
      );
      expect(slots.filter((s) => s.ok)).toHaveLength(5);
      expect(slots.filter((s) => s.ok && s.locks)).toHaveLength(1);
      expect(slots.filter((s) => !s.ok)).toHaveLength(35);
      expect(await a.failures.lockedUntil('email:x@y')).toBe(now + 300_000);
      expect(await b.failures.lockedUntil('email:other@y')).toBe(0);

      // Giving back the slots of successes: one lifts the lock, the rest stay counted.
      await b.failures.update('email:x@y', (current) => releaseSlot(current, policy));
      expect(await a.failures.lockedUntil('email:x@y')).toBe(0);
      expect(await a.failures.update('email:x@y', (current) => reserveSlot(current, now, policy))).toEqual({
        ok: true,
        locks: true,
      });

      await b.failures.update('address:10.0.0.1', (current) => reserveSlot(current, now, policy));
      await a.failures.clear('address:10.0.0.1');
      expect(await b.failures.prune(now + 1)).toBe(0);
      expect(await b.failures.prune(now + 300_001)).toBe(1);
      expect(await a.failures.lockedUntil('email:x@y')).toBe(0);
    });
  });
}
