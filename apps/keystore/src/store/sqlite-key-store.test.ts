import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTestKey } from '@routemcp/api-key/testing';
import { KeyService } from '../keys/key-service.ts';
import { fakeClock } from '../testing/fake-clock.ts';
import type { NewKey } from './key-store.ts';
import { migrate, migrations, userVersion } from './migrations.ts';
import { SqliteKeyStore } from './sqlite-key-store.ts';

let dir: string;
let path: string;
let store: SqliteKeyStore;
const clock = fakeClock();

function newKey(overrides: Partial<NewKey> = {}): NewKey {
  const key = makeTestKey('live');
  return {
    id: `key_${'a'.repeat(20)}${Math.random().toString(36).slice(2, 6)}`,
    accountId: store.defaultAccountId,
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

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keystore-store-'));
  path = join(dir, 'nested', 'keystore.sqlite');
  store = new SqliteKeyStore({ path, now: clock.now() });
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('migrations', () => {
  it('bring a new file to the latest version, with an epoch and a default account', () => {
    const db = new DatabaseSync(path);
    expect(userVersion(db)).toBe(migrations.length);
    db.close();
    expect(store.epoch).toMatch(/^[0-9A-Za-z]{16}$/);
    expect(store.defaultAccountId).toMatch(/^acct_[0-9A-Za-z]+$/);
    expect(store.hasAccount(store.defaultAccountId)).toBe(true);
  });

  it('are idempotent: reopening keeps the epoch, the default account and the data', () => {
    const created = store.createKey(newKey(), clock.now());
    const again = new SqliteKeyStore({ path, now: clock.now() });
    expect(again.epoch).toBe(store.epoch);
    expect(again.defaultAccountId).toBe(store.defaultAccountId);
    expect(again.getKey(created.id)).toEqual(created);
    again.close();

    const db = new DatabaseSync(path);
    expect(migrate(db, { now: clock.now() })).toBe(0);
    db.close();
  });

  it('use WAL with full sync', () => {
    const db = new DatabaseSync(path);
    expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    db.close();
  });

  it('have no column that could hold a key', () => {
    const db = new DatabaseSync(path);
    const columns = (db.prepare('PRAGMA table_info(keys)').all() as { name: string }[]).map((c) => c.name);
    db.close();
    expect(columns).not.toContain('key');
    expect(columns).toEqual(expect.arrayContaining(['id', 'hash', 'hint']));
  });
});

describe('SqliteKeyStore', () => {
  it('never writes the key itself to disk', () => {
    const keys = new KeyService({ store, clock });
    const created = keys.create({ environment: 'test', name: 'disk check' }, { createAccount: false });
    if (!created.ok) throw new Error('create failed');
    const files = readdirSync(join(dir, 'nested'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(readFileSync(join(dir, 'nested', file)).includes(created.issued.key)).toBe(false);
    }
    expect(store.findByHash(created.issued.record.hash)?.id).toBe(created.issued.record.id);
  });

  it('writes a created event with the key', () => {
    const key = store.createKey(newKey(), clock.now());
    expect(store.eventsAfter(0, 10)).toEqual([
      { seq: 1, type: 'created', keyId: key.id, keyHash: key.hash, at: clock.now() },
    ]);
  });

  it('rolls back the change and its event together', () => {
    const first = store.createKey(newKey(), clock.now());
    expect(() => store.createKey(newKey({ hash: first.hash }), clock.now())).toThrow(/UNIQUE/);
    expect(store.latestSeq()).toBe(1);

    // The roll's new key collides: the old key must stay untouched and no `rolled` event may exist.
    const other = store.createKey(newKey(), clock.now());
    expect(() => store.rollKey(other.id, newKey({ hash: first.hash }), clock.now(), clock.now())).toThrow(/UNIQUE/);
    expect(store.getKey(other.id)?.revokedAt).toBeNull();
    expect(store.eventsAfter(0, 10).map((e) => e.type)).toEqual(['created', 'created']);
  });

  it('revokes idempotently, with one event', () => {
    const key = store.createKey(newKey(), clock.now());
    const first = store.revokeKey(key.id, clock.now());
    clock.advance(1000);
    const second = store.revokeKey(key.id, clock.now());
    expect(first).toEqual(second);
    expect(store.eventsAfter(1, 10).map((e) => e.type)).toEqual(['revoked']);
    expect(store.revokeKey('key_missing', clock.now())).toEqual({ ok: false, reason: 'not_found' });
  });

  it('announces an expiry once', () => {
    const key = store.createKey(newKey({ expiresAt: clock.now() + 1000 }), clock.now());
    expect(store.expireDue(clock.now())).toBe(0);
    clock.advance(1000);
    expect(store.expireDue(clock.now())).toBe(1);
    expect(store.expireDue(clock.now())).toBe(0);
    expect(store.eventsAfter(1, 10)).toMatchObject([{ type: 'expired', keyId: key.id }]);
  });

  it('prunes old events and remembers how far', () => {
    for (let i = 0; i < 5; i++) store.createKey(newKey(), clock.now());
    expect(store.pruneEvents(2)).toBe(3);
    expect(store.prunedThrough()).toBe(3);
    expect(store.eventsAfter(0, 10).map((e) => e.seq)).toEqual([4, 5]);
    expect(store.pruneEvents(2)).toBe(0);
    expect(store.latestSeq()).toBe(5);
  });

  it('lists newest first with filters', () => {
    const a = store.createKey(newKey(), clock.now());
    clock.advance(1);
    const b = store.createKey(newKey({ environment: 'test' }), clock.now());
    clock.advance(1);
    const c = store.createKey(newKey({ expiresAt: clock.now() + 10 }), clock.now());
    store.revokeKey(a.id, clock.now());
    expect(store.listKeys({}, clock.now()).map((k) => k.id)).toEqual([c.id, b.id, a.id]);
    expect(store.listKeys({ environment: 'test' }, clock.now()).map((k) => k.id)).toEqual([b.id]);
    expect(store.listKeys({ status: 'revoked' }, clock.now()).map((k) => k.id)).toEqual([a.id]);
    expect(store.listKeys({ status: 'expiring' }, clock.now()).map((k) => k.id)).toEqual([c.id]);
    expect(store.listKeys({ status: 'expired' }, clock.now() + 10).map((k) => k.id)).toEqual([c.id]);
    expect(store.listKeys({ status: 'active' }, clock.now()).map((k) => k.id)).toEqual([b.id]);
  });

  it('adds usage to hourly rows and keeps the latest lastUsedAt', () => {
    const key = store.createKey(newKey(), clock.now());
    const at = clock.now();
    expect(
      store.recordUsage(
        [
          { keyId: key.id, requests: 3, rateLimited: 1, lastUsedAt: at },
          { keyId: key.id, requests: 2, rateLimited: 0, lastUsedAt: at - 5000 },
          { keyId: 'key_unknown', requests: 9, rateLimited: 0, lastUsedAt: at },
        ],
        clock.now(),
      ),
    ).toBe(2);
    expect(store.getKey(key.id)?.lastUsedAt).toBe(at);
    const db = new DatabaseSync(path);
    expect(db.prepare('SELECT requests, rate_limited FROM key_usage').all()).toEqual([
      { requests: 5, rate_limited: 1 },
    ]);
    db.close();
  });

  it('sees writes from a second connection on the same file (the CLI)', () => {
    const cli = new SqliteKeyStore({ path, now: clock.now() });
    const key = cli.createKey(newKey(), clock.now());
    cli.close();
    expect(store.getKey(key.id)).toEqual(key);
    expect(store.latestSeq()).toBe(1);
  });
});
