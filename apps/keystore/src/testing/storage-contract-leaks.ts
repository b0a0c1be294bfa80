import { describe, expect, it } from 'vitest';
import type { KeyLeak } from '../keys/key-record.ts';
import { fakeClock } from './fake-clock.ts';
import { newKey, type ContractDatabase } from './storage-contract.ts';

const HOUR = 3_600_000;

/** What `recordLeak` promises on every engine (part of runStorageContract). */
export function runLeakStorageContract(engine: string, database: () => Promise<ContractDatabase>): void {
  const clock = fakeClock();
  const leak = (source = 'github:content'): KeyLeak => ({
    at: clock.now(),
    url: 'https://github.com/octo/repo/blob/abc/.env',
    source,
  });

  describe(`storage contract, leaks: ${engine}`, () => {
    it('revokes with the leak in one change, once: a second report writes nothing and keeps the first', async () => {
      await using db = await database();
      const { keys } = await db.open();
      const key = await keys.createKey(newKey(keys.defaultAccountId), clock.now());
      const first = await keys.recordLeak(key.id, leak(), { kind: 'revoke' }, clock.now());
      expect(first).toEqual({
        ok: true,
        recorded: true,
        key: { ...key, revokedAt: clock.now(), leak: leak() },
      });
      const again = await keys.recordLeak(key.id, leak('gitleaks'), { kind: 'revoke' }, clock.now() + 5000);
      expect(again).toEqual({ ok: true, recorded: false, key: { ...key, revokedAt: clock.now(), leak: leak() } });
      const other = await db.openAnother();
      expect((await other.keys.getKey(key.id))?.leak).toEqual(leak());
      expect((await other.keys.findByHash(key.hash))?.leak).toEqual(leak());
      expect((await keys.eventsAfter(1, 10)).map((e) => e.type)).toEqual(['revoked']);
      expect(await keys.recordLeak('key_missing', leak(), { kind: 'notify' }, clock.now())).toEqual({
        ok: false,
        reason: 'not_found',
      });
    });

    it('records one of two reports arriving at once on two connections (two replicas): one event, one first report', async () => {
      await using db = await database();
      const a = await db.open();
      const b = await db.openAnother();
      const key = await a.keys.createKey(newKey(a.keys.defaultAccountId), clock.now());
      const results = await Promise.all([
        a.keys.recordLeak(key.id, leak('github:content'), { kind: 'revoke' }, clock.now()),
        b.keys.recordLeak(key.id, leak('gitleaks'), { kind: 'revoke' }, clock.now()),
      ]);
      expect(results.map((r) => r.ok && r.recorded).sort()).toEqual([false, true]);
      const first = results.find((r) => r.ok && r.recorded);
      expect((await b.keys.getKey(key.id))?.leak).toEqual(first?.ok === true ? first.key.leak : undefined);
      expect((await a.keys.eventsAfter(1, 10)).map((e) => e.type)).toEqual(['revoked']);
    });

    it('expires at the grace period, never later than the key would have; notify only records', async () => {
      await using db = await database();
      const { keys } = await db.open();
      const now = clock.now();
      const open = await keys.createKey(newKey(keys.defaultAccountId), now);
      const soon = await keys.createKey(newKey(keys.defaultAccountId, { expiresAt: now + 60_000 }), now);
      const told = await keys.createKey(newKey(keys.defaultAccountId), now);
      const expire = { kind: 'expire', endsAt: now + HOUR } as const;
      expect((await keys.recordLeak(open.id, leak(), expire, now)).ok).toBe(true);
      expect((await keys.recordLeak(soon.id, leak(), expire, now)).ok).toBe(true);
      expect((await keys.recordLeak(told.id, leak(), { kind: 'notify' }, now)).ok).toBe(true);
      expect(await keys.getKey(open.id)).toMatchObject({ expiresAt: now + HOUR, revokedAt: null, leak: leak() });
      expect(await keys.getKey(soon.id)).toMatchObject({ expiresAt: now + 60_000, revokedAt: null, leak: leak() });
      expect(await keys.getKey(told.id)).toMatchObject({ expiresAt: null, revokedAt: null, leak: leak() });
      // Only the expiry the proxies cache changed: one `updated`, for `open`.
      const events = (await keys.eventsAfter(3, 10)).map((e) => [e.type, e.keyId]);
      expect(events).toEqual([['updated', open.id]]);
      expect((await keys.listKeys({}, now)).find((k) => k.id === told.id)?.leak).toEqual(leak());
    });

    it('records a leak on a revoked key without touching it, and a roll does not hand the leak on', async () => {
      await using db = await database();
      const { keys } = await db.open();
      const now = clock.now();
      const gone = await keys.createKey(newKey(keys.defaultAccountId), now);
      await keys.revokeKey(gone.id, now);
      const result = await keys.recordLeak(gone.id, leak(), { kind: 'revoke' }, now + 1000);
      expect(result).toMatchObject({ ok: true, recorded: true, key: { revokedAt: now, leak: leak() } });
      const live = await keys.createKey(newKey(keys.defaultAccountId), now);
      await keys.recordLeak(live.id, leak(), { kind: 'notify' }, now);
      const successor = newKey(keys.defaultAccountId);
      const rolled = await keys.rollKey(live.id, successor, now + HOUR, now);
      expect(rolled.ok && rolled.created.leak).toBeNull();
      expect(rolled.ok && rolled.old.leak).toEqual(leak());
    });
  });
}
