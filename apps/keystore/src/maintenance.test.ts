import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { FailureThrottle } from './accounts/failure-throttle.ts';
import { KeyService } from './keys/key-service.ts';
import { runMaintenance } from './maintenance.ts';
import { SqliteStorage } from './store/sqlite/sqlite-storage.ts';
import { fakeClock } from './testing/fake-clock.ts';

describe('runMaintenance', () => {
  it('announces due expiries, prunes the event log to the retention and forgets idle lock-outs', async () => {
    const clock = fakeClock();
    const storage = new SqliteStorage({ path: ':memory:', now: clock.now() });
    const store = storage.keys;
    let changes = 0;
    const keys = new KeyService({ store, clock, onChange: () => changes++ });
    for (let i = 0; i < 3; i++) await keys.create({ environment: 'live' }, { createAccount: false });
    await keys.create({ environment: 'test', expiresAt: clock.now() + 500 }, { createAccount: false });
    const policy = { maxFailures: 1, windowMs: 100, lockMs: 100 };
    await new FailureThrottle({ ...policy, clock, store: storage.failures }).reserve('email:old@x');
    clock.advance(500);
    await new FailureThrottle({ ...policy, clock, store: storage.failures }).reserve('email:new@x');
    const before = changes;

    await runMaintenance({
      keys,
      store,
      logger: pino({ level: 'silent' }),
      eventRetention: 2,
      failures: { store: storage.failures, clock, horizonMs: 200 },
    });

    expect(changes).toBe(before + 1);
    expect((await store.eventsAfter(0, 10)).map((e) => e.type)).toEqual(['created', 'expired']);
    expect(await store.prunedThrough()).toBe(3);
    expect(await storage.failures.lockedUntil('email:old@x')).toBe(0);
    expect(await storage.failures.lockedUntil('email:new@x')).toBe(clock.now() + 100);
    await storage.close();
  });

  it('survives a failing pass (the next tick retries)', async () => {
    const clock = fakeClock();
    const storage = new SqliteStorage({ path: ':memory:', now: clock.now() });
    const keys = new KeyService({ store: storage.keys, clock });
    await storage.close();
    await expect(
      runMaintenance({ keys, store: storage.keys, logger: pino({ level: 'silent' }), eventRetention: 2 }),
    ).resolves.toBeUndefined();
  });
});
