import { describe, expect, it } from 'vitest';
import { KeystoreReplicas, type KeystoreReplica } from './keystore-replicas.ts';
import { ManualClock } from '../testing/manual-clock.ts';

const URLS = ['http://a:5003', 'http://b:5003', 'http://c:5003'];

function setup() {
  const clock = new ManualClock();
  const states: string[] = [];
  const replicas = new KeystoreReplicas({
    urls: URLS,
    clock,
    failureThreshold: 2,
    coolDownMs: 1000,
    onStateChange: (replica, state) => states.push(`${replica.index} ${state}`),
  });
  /** Which replicas are up; a call records each replica it reached. */
  const up = new Set([0, 1, 2]);
  const reached: number[] = [];
  const call = () =>
    replicas.call(async (replica: KeystoreReplica) => {
      reached.push(replica.index);
      return { answered: up.has(replica.index), value: `${up.has(replica.index) ? 'ok' : 'down'} ${replica.index}` };
    });
  return { clock, states, replicas, up, reached, call };
}

describe('KeystoreReplicas', () => {
  it('names replicas by index and host only', () => {
    const replicas = new KeystoreReplicas({
      urls: ['http://ops:secret@a:5003'],
      clock: new ManualClock(),
      failureThreshold: 1,
      coolDownMs: 1,
    });
    expect(replicas.replicas.map(({ index, host }) => ({ index, host }))).toEqual([{ index: 0, host: 'a:5003' }]);
  });

  it('calls the first replica while it answers', async () => {
    const s = setup();
    expect([await s.call(), await s.call()]).toEqual(['ok 0', 'ok 0']);
    expect(s.reached).toEqual([0, 0]);
  });

  it('moves on to the next while replicas fail, and sticks to the one that answered', async () => {
    const s = setup();
    s.up.delete(0);
    expect(await s.call()).toBe('ok 1');
    s.up.add(0);
    expect(await s.call()).toBe('ok 1');
    expect(s.reached).toEqual([0, 1, 1]);
    expect(s.replicas.preferred.index).toBe(1);
    s.up.delete(1);
    s.up.delete(2);
    expect(await s.call()).toBe('ok 0');
    expect(s.reached).toEqual([0, 1, 1, 1, 2, 0]);
  });

  it('returns the last failure when every replica fails, and skips replicas whose breaker is open', async () => {
    const s = setup();
    s.up.clear();
    expect(await s.call()).toBe('down 2');
    expect(await s.call()).toBe('down 2');
    expect(s.states).toEqual(['0 open', '1 open', '2 open']);
    s.reached.length = 0;
    expect(await s.call()).toBeUndefined();
    expect(s.reached).toEqual([]);
  });

  it('probes open replicas once their cool-down is over; the one that answers closes and is preferred', async () => {
    const s = setup();
    s.up.clear();
    await s.call();
    await s.call();
    s.clock.advance(999);
    expect(await s.call()).toBeUndefined();
    s.clock.advance(1);
    s.up.add(2);
    s.reached.length = 0;
    expect(await s.call()).toBe('ok 2');
    expect(s.reached).toEqual([0, 1, 2]);
    expect(s.states.slice(3)).toEqual(['0 half-open', '0 open', '1 half-open', '1 open', '2 half-open', '2 closed']);
    expect(s.replicas.preferred.index).toBe(2);
  });

  it('refuses an empty list', () => {
    expect(
      () => new KeystoreReplicas({ urls: [], clock: new ManualClock(), failureThreshold: 1, coolDownMs: 1 }),
    ).toThrow('at least one keystore URL');
  });
});
