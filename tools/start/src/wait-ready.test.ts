import { describe, expect, it } from 'vitest';
import { waitReady } from './wait-ready.ts';

const never = new Promise<never>(() => undefined);
const instant = () => Promise.resolve();

describe('waitReady', () => {
  it('is ready once the probe succeeds', async () => {
    let attempts = 0;
    const result = await waitReady({
      child: { exited: never },
      probe: async () => ++attempts === 3,
      timeoutMs: 1_000,
      delay: instant,
    });
    expect(result).toEqual({ ok: true });
    expect(attempts).toBe(3);
  });

  it('gives up at the deadline of the injected clock', async () => {
    let now = 0;
    const result = await waitReady({
      child: { exited: never },
      probe: async () => false,
      timeoutMs: 1_000,
      now: () => now,
      delay: async (ms) => {
        now += ms;
      },
    });
    expect(result).toEqual({ ok: false, reason: 'timeout' });
  });

  it('stops waiting when the child exits', async () => {
    const result = await waitReady({
      child: { exited: Promise.resolve({ code: 1, signal: null }) },
      probe: async () => false,
      timeoutMs: 60_000,
      delay: () => never,
    });
    expect(result).toEqual({ ok: false, reason: 'exited' });
  });

  it('stops waiting when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await waitReady({
      child: { exited: never },
      probe: async () => true,
      timeoutMs: 1_000,
      signal: controller.signal,
    });
    expect(result).toEqual({ ok: false, reason: 'aborted' });
  });
});
