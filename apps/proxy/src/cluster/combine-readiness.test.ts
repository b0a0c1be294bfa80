import { describe, expect, it } from 'vitest';
import type { Readiness, ReadyReport } from '../admin/index.ts';
import { combineReadiness } from './combine-readiness.ts';

const report = (over: Partial<ReadyReport> = {}): Readiness => ({
  ready: true,
  report: {
    status: 'ready',
    keystore: 'reachable',
    events: 'connected',
    cachedKeys: 10,
    limiter: 'redis',
    ...over,
  },
});

describe('combineReadiness', () => {
  it('is ready when every worker is, and says how many workers there are', () => {
    expect(combineReadiness([report({ cachedKeys: 3 }), report({ cachedKeys: 7 })], 2)).toEqual({
      ready: true,
      report: {
        status: 'ready',
        keystore: 'reachable',
        events: 'connected',
        cachedKeys: 7,
        limiter: 'redis',
        workers: 2,
      },
    });
  });

  it('is not ready while any worker is not, with that worker’s reason', () => {
    const cold: Readiness = { ready: false, message: 'Keystore unreachable and no keys cached' };
    expect(combineReadiness([report(), cold], 2)).toEqual(cold);
  });

  it('is not ready while a worker is missing (dead, restarting or silent)', () => {
    expect(combineReadiness([report()], 2)).toEqual({ ready: false, message: '1 of 2 workers ready' });
    expect(combineReadiness([], 3)).toEqual({ ready: false, message: '0 of 3 workers ready' });
  });

  it('reports the worst of the workers: unreachable, disconnected, degraded', () => {
    const combined = combineReadiness(
      [report(), report({ keystore: 'unreachable', events: 'disconnected', limiter: 'fallback', degraded: true })],
      2,
    );
    expect(combined).toMatchObject({
      ready: true,
      report: { keystore: 'unreachable', events: 'disconnected', limiter: 'fallback', degraded: true },
    });
  });
});
