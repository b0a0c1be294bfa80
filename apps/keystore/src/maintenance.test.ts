import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { KeyService } from './keys/key-service.ts';
import { runMaintenance } from './maintenance.ts';
import { SqliteKeyStore } from './store/sqlite-key-store.ts';
import { fakeClock } from './testing/fake-clock.ts';

describe('runMaintenance', () => {
  it('announces due expiries and prunes the event log to the retention', () => {
    const clock = fakeClock();
    const store = new SqliteKeyStore({ path: ':memory:', now: clock.now() });
    let changes = 0;
    const keys = new KeyService({ store, clock, onChange: () => changes++ });
    for (let i = 0; i < 3; i++) keys.create({ environment: 'live' }, { createAccount: false });
    keys.create({ environment: 'test', expiresAt: clock.now() + 500 }, { createAccount: false });
    clock.advance(500);
    const before = changes;

    runMaintenance({ keys, store, logger: pino({ level: 'silent' }), eventRetention: 2 });

    expect(changes).toBe(before + 1);
    expect(store.eventsAfter(0, 10).map((e) => e.type)).toEqual(['created', 'expired']);
    expect(store.prunedThrough()).toBe(3);
    store.close();
  });

  it('survives a failing pass (the next tick retries)', () => {
    const clock = fakeClock();
    const store = new SqliteKeyStore({ path: ':memory:', now: clock.now() });
    const keys = new KeyService({ store, clock });
    store.close();
    expect(() => runMaintenance({ keys, store, logger: pino({ level: 'silent' }), eventRetention: 2 })).not.toThrow();
  });
});
