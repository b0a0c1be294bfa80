import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hash, parse } from '@routemcp/api-key';
import { makeTestKey, nearMiss } from '@routemcp/api-key/testing';
import { newKeyId } from '../ids.ts';
import { NO_POLICIES, type StoredKey } from '../keys/key-record.ts';
import type { KeyStore } from '../store/key-store.ts';
import { SqliteStorage } from '../store/sqlite/sqlite-storage.ts';
import { fakeClock } from '../testing/fake-clock.ts';
import { DEFAULT_LEAK_POLICY } from './leak-policy.ts';
import { LeakService } from './leak-service.ts';

const where = { url: 'https://github.com/octo/repo/blob/abc/.env', source: 'gitleaks' };
/** The shape of a Stripe secret key (their prefix is ours): base62 after `sk_live_`, no CRC32 of ours. */
const STRIPE_LIKE = `sk_live_51${'Hx9aQ2bR7cS1dT4eU8fV3gW6hY0iZ5jK'.repeat(3)}`;
/** Exactly our length and alphabet: only the checksum tells it from one of ours. */
// Built at run time, and plainly no one's key: a committed literal of this shape would trip secret scanners.
const STRIPE_OUR_LENGTH = `sk_live_${'NotARealKey0'.repeat(4).slice(0, 38)}`;

let storage: SqliteStorage;
let calls: string[];
let store: KeyStore;
const clock = fakeClock();

/** The real store, every call named in `calls`: what "no database read" is checked against. */
function counted(inner: KeyStore): KeyStore {
  return new Proxy(inner, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(property));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

async function issue(environment: 'live' | 'test', accountId?: string): Promise<{ key: string; record: StoredKey }> {
  const made = makeTestKey(environment);
  const record = await storage.keys.createKey(
    {
      id: newKeyId(),
      accountId: accountId ?? storage.keys.defaultAccountId,
      environment,
      hash: made.hash,
      hint: made.hint,
      name: null,
      rateLimit: null,
      expiresAt: null,
      rolledFrom: null,
      ...NO_POLICIES,
    },
    clock.now(),
  );
  return { key: made.key, record };
}

beforeEach(() => {
  storage = new SqliteStorage({ path: ':memory:', now: clock.now() });
  calls = [];
  store = counted(storage.keys);
});
afterEach(async () => {
  await storage.close();
});

describe('LeakService', () => {
  it('calls a Stripe-shaped sk_live_ token a false positive without reading the database', async () => {
    expect(parse(STRIPE_OUR_LENGTH)).toEqual({ ok: false, reason: 'checksum' });
    const changes: number[] = [];
    const leaks = new LeakService({ store, clock, policy: DEFAULT_LEAK_POLICY, onChange: () => changes.push(1) });
    const verdicts = await leaks.report([
      { token: STRIPE_LIKE, where },
      { token: STRIPE_OUR_LENGTH, where },
    ]);
    expect(verdicts).toEqual([
      { keyHash: hash(STRIPE_LIKE), label: 'false_positive', key: undefined, recorded: false },
      { keyHash: hash(STRIPE_OUR_LENGTH), label: 'false_positive', key: undefined, recorded: false },
    ]);
    expect(calls).toEqual([]);
    expect(changes).toEqual([]);
  });

  it('flags our keys by their environment: a test key revoked, a live key only flagged; a key we never issued is not ours', async () => {
    const live = await issue('live');
    const test = await issue('test');
    const stranger = nearMiss(live.key);
    const changes: number[] = [];
    const leaks = new LeakService({ store, clock, policy: DEFAULT_LEAK_POLICY, onChange: () => changes.push(1) });
    const verdicts = await leaks.report([
      { token: live.key, where },
      { keyHash: hash(test.key), where },
      { token: stranger, where },
    ]);
    expect(verdicts.map((v) => [v.keyHash, v.label, v.key?.id, v.recorded])).toEqual([
      [hash(live.key), 'true_positive', live.record.id, true],
      [hash(test.key), 'true_positive', test.record.id, true],
      [hash(stranger), 'false_positive', undefined, false],
    ]);
    const leak = { at: clock.now(), ...where };
    expect(await storage.keys.getKey(live.record.id)).toMatchObject({ revokedAt: null, leak });
    expect(await storage.keys.getKey(test.record.id)).toMatchObject({ revokedAt: clock.now(), leak });
    expect(changes).toEqual([1]);
  });

  it('changes nothing on a second report of the same key: the first wins', async () => {
    const test = await issue('test');
    const leaks = new LeakService({ store, clock, policy: DEFAULT_LEAK_POLICY });
    await leaks.report([{ token: test.key, where }]);
    const seq = await storage.keys.latestSeq();
    clock.advance(60_000);
    const [again] = await leaks.report([{ token: test.key, where: { url: 'https://elsewhere', source: 'x' } }]);
    expect(again).toMatchObject({ label: 'true_positive', recorded: false, key: { leak: { url: where.url } } });
    expect(await storage.keys.latestSeq()).toBe(seq);
  });

  it("answers false_positive for another account's key when the reporter is confined to one account", async () => {
    await storage.keys.ensureAccount('acct_other', 'other', clock.now());
    const theirs = await issue('test', 'acct_other');
    const leaks = new LeakService({ store, clock, policy: DEFAULT_LEAK_POLICY });
    const [verdict] = await leaks.report([{ token: theirs.key, where }], storage.keys.defaultAccountId);
    expect(verdict?.label).toBe('false_positive');
    expect((await storage.keys.getKey(theirs.record.id))?.leak).toBeNull();
  });

  it('expires a key after the grace period when the policy says expire', async () => {
    const live = await issue('live');
    const leaks = new LeakService({ store, clock, policy: { live: 'expire', test: 'revoke', graceSeconds: 600 } });
    await leaks.report([{ token: live.key, where }]);
    expect(await storage.keys.getKey(live.record.id)).toMatchObject({
      revokedAt: null,
      expiresAt: clock.now() + 600_000,
    });
  });
});
