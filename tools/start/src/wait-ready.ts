import type { Child } from './child.ts';

export type Readiness = { ok: true } | { ok: false; reason: 'exited' | 'timeout' | 'aborted' };

export interface WaitReadyOptions {
  child: Pick<Child, 'exited'>;
  /** One attempt; true when the child answers healthy. */
  probe: () => Promise<boolean>;
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
  now?: () => number;
  delay?: (ms: number) => Promise<void>;
}

/** GET `url`, true on any 2xx; each attempt bounded so one hung connection cannot stall the wait. */
export function httpProbe(url: string, attemptMs = 1_000): () => Promise<boolean> {
  return async () => {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(attemptMs) });
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  };
}

/** Polls until the child is healthy, exits, the time runs out, or we are told to stop. */
export async function waitReady(options: WaitReadyOptions): Promise<Readiness> {
  const now = options.now ?? Date.now;
  const delay = options.delay ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + options.timeoutMs;
  let exited = false;
  void options.child.exited.then(() => (exited = true));

  while (true) {
    if (options.signal?.aborted) return { ok: false, reason: 'aborted' };
    if (exited) return { ok: false, reason: 'exited' };
    if (await options.probe()) return { ok: true };
    if (now() >= deadline) return { ok: false, reason: 'timeout' };
    await Promise.race([delay(options.intervalMs ?? 200), options.child.exited]);
  }
}
