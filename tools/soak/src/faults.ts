export type FaultKind = 'keystore paused' | 'redis paused' | 'redis restarted' | 'keystore restarted';

export interface PlannedFault {
  kind: FaultKind;
  atMs: number;
  /** 0 for a restart: it lasts as long as the restart takes. */
  durationMs: number;
}

export interface FaultWindow {
  kind: FaultKind;
  startS: number;
  endS: number;
}

/** What a fault does to the stack. */
export interface FaultTarget {
  pause(what: 'keystore' | 'redis'): void;
  resume(what: 'keystore' | 'redis'): void;
  restart(what: 'keystore' | 'redis'): Promise<void>;
}

/**
 * Faults spread over the run, with quiet stretches between them so each
 * recovery shows on its own in the charts. Pauses last 8 % of the run, at
 * most 30 s (past the keystore's and Redis's timeouts many times over).
 */
export function planFaults(totalMs: number, withRedis: boolean): PlannedFault[] {
  const pauseMs = Math.min(30_000, Math.round(totalMs * 0.08));
  const plan: PlannedFault[] = [
    { kind: 'keystore paused', atMs: Math.round(totalMs * 0.15), durationMs: pauseMs },
    { kind: 'keystore restarted', atMs: Math.round(totalMs * 0.75), durationMs: 0 },
  ];
  if (withRedis) {
    plan.push(
      { kind: 'redis paused', atMs: Math.round(totalMs * 0.35), durationMs: pauseMs },
      { kind: 'redis restarted', atMs: Math.round(totalMs * 0.55), durationMs: 0 },
    );
  }
  return plan.sort((a, b) => a.atMs - b.atMs);
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, ms));
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/** Runs the plan in order from `startedAt` (performance.now() ms); stops early on abort, never leaving anything paused. */
export async function runFaults(
  plan: readonly PlannedFault[],
  target: FaultTarget,
  startedAt: number,
  signal: AbortSignal,
): Promise<FaultWindow[]> {
  const windows: FaultWindow[] = [];
  const elapsedS = () => (performance.now() - startedAt) / 1000;
  for (const fault of plan) {
    await sleep(startedAt + fault.atMs - performance.now(), signal);
    if (signal.aborted) break;
    const what = fault.kind.startsWith('redis') ? 'redis' : 'keystore';
    const startS = elapsedS();
    if (fault.durationMs === 0) {
      await target.restart(what);
    } else {
      target.pause(what);
      await sleep(fault.durationMs, signal);
      target.resume(what);
    }
    windows.push({ kind: fault.kind, startS, endS: elapsedS() });
  }
  return windows;
}
