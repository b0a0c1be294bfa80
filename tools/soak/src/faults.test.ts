import { describe, expect, it, vi } from 'vitest';
import { planFaults, runFaults, type FaultTarget } from './faults.ts';

describe('planFaults', () => {
  it('spreads four faults over a 10-minute run, pauses capped at 30 s', () => {
    expect(planFaults(600_000, true)).toEqual([
      { kind: 'keystore paused', atMs: 90_000, durationMs: 30_000 },
      { kind: 'redis paused', atMs: 210_000, durationMs: 30_000 },
      { kind: 'redis restarted', atMs: 330_000, durationMs: 0 },
      { kind: 'keystore restarted', atMs: 450_000, durationMs: 0 },
    ]);
  });

  it('scales pauses down for a short run and skips Redis without it', () => {
    expect(planFaults(60_000, false)).toEqual([
      { kind: 'keystore paused', atMs: 9_000, durationMs: 4_800 },
      { kind: 'keystore restarted', atMs: 45_000, durationMs: 0 },
    ]);
  });
});

describe('runFaults', () => {
  it('pauses then resumes, restarts, and records each window', async () => {
    const calls: string[] = [];
    const target: FaultTarget = {
      pause: (what) => void calls.push(`pause ${what}`),
      resume: (what) => void calls.push(`resume ${what}`),
      restart: async (what) => void calls.push(`restart ${what}`),
    };
    const plan = [
      { kind: 'redis paused' as const, atMs: 0, durationMs: 1 },
      { kind: 'keystore restarted' as const, atMs: 0, durationMs: 0 },
    ];
    const windows = await runFaults(plan, target, performance.now(), new AbortController().signal);
    expect(calls).toEqual(['pause redis', 'resume redis', 'restart keystore']);
    expect(windows.map((w) => w.kind)).toEqual(['redis paused', 'keystore restarted']);
    expect(windows.every((w) => w.endS >= w.startS)).toBe(true);
  });

  it('stops without leaving anything paused when aborted', async () => {
    const calls: string[] = [];
    const target: FaultTarget = {
      pause: (what) => void calls.push(`pause ${what}`),
      resume: (what) => void calls.push(`resume ${what}`),
      restart: async () => {},
    };
    const abort = new AbortController();
    const running = runFaults(
      [{ kind: 'keystore paused', atMs: 0, durationMs: 60_000 }],
      target,
      performance.now(),
      abort.signal,
    );
    await vi.waitFor(() => expect(calls).toEqual(['pause keystore']));
    abort.abort();
    await running;
    expect(calls).toEqual(['pause keystore', 'resume keystore']);
  });
});
