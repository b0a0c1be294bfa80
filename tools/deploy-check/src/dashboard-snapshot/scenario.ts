import { readFileSync } from 'node:fs';
import type { LiveStack } from '../monitoring/live-stack.ts';

/** A stretch of the run shaded on every chart, with what was done. */
export interface FaultWindow {
  label: string;
  startS: number;
  endS: number;
}

export interface Step {
  atS: number;
  label: string;
  /** Seconds the fault lasts (0: a single event, drawn as a thin band). */
  durationS: number;
  start(stack: LiveStack): Promise<void> | void;
  end?(stack: LiveStack): Promise<void> | void;
}

/** Its cluster workers: the proxy primary's child processes. */
export function childPids(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

/**
 * The faults the picture shows, with quiet stretches between them so each
 * one's effect and recovery are visible: the keystore paused (SIGSTOP), then
 * Redis paused. With `killWorker`, one proxy worker is also killed (SIGKILL;
 * the primary replaces it, and keeps the dead worker's counters, so no rate
 * panel spikes: docs/operating.md) — left out of the committed picture to
 * keep it to two faults.
 */
export function scenario(options: { scale?: number; killWorker?: boolean } = {}): { steps: Step[]; lengthS: number } {
  const s = (seconds: number) => Math.round(seconds * (options.scale ?? 1));
  const steps: Step[] = [
    {
      atS: s(40),
      durationS: s(40),
      label: 'keystore paused',
      start: (stack) => stack.processes.keystore.pause(),
      end: (stack) => stack.processes.keystore.resume(),
    },
    {
      atS: s(110),
      durationS: s(40),
      label: 'Redis paused',
      start: (stack) => stack.processes.redis.pause(),
      end: (stack) => stack.processes.redis.resume(),
    },
  ];
  if (!options.killWorker) return { steps, lengthS: s(180) };
  steps.push({
    atS: s(180),
    durationS: 0,
    label: 'worker killed',
    start: (stack) => {
      const [worker] = childPids(stack.processes.proxy.pid);
      if (worker === undefined) throw new Error('the proxy has no worker to kill');
      process.kill(worker, 'SIGKILL');
    },
  });
  return { steps, lengthS: s(220) };
}

/** Runs the steps at their times (relative to now); resolves after `lengthS`, with every fault ended. */
export async function runScenario(stack: LiveStack, plan: { steps: Step[]; lengthS: number }): Promise<FaultWindow[]> {
  const t0 = Date.now();
  const until = (s: number) => new Promise((done) => setTimeout(done, Math.max(0, t0 + s * 1000 - Date.now())));
  const windows: FaultWindow[] = [];
  const events = plan.steps
    .flatMap((step) => [
      { at: step.atS, run: () => step.start(stack), step, starts: true },
      ...(step.end ? [{ at: step.atS + step.durationS, run: () => step.end!(stack), step, starts: false }] : []),
    ])
    .sort((a, b) => a.at - b.at);
  try {
    for (const event of events) {
      await until(event.at);
      process.stderr.write(`${event.at}s: ${event.step.label}${event.starts ? '' : ' — over'}\n`);
      await event.run();
      if (event.starts)
        windows.push({ label: event.step.label, startS: event.step.atS, endS: event.step.atS + event.step.durationS });
    }
    await until(plan.lengthS);
  } finally {
    // Never leave a paused process behind, whatever failed.
    stack.processes.keystore.resume();
    stack.processes.redis.resume();
  }
  return windows;
}
