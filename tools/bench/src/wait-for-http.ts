import type { ManagedProcess } from '@routemcp/process-group';

/** Polls `url` until it answers 2xx; fails early if the process dies. Bounded by `timeoutMs`. */
export async function waitForHttp(
  process: ManagedProcess,
  url: string,
  timeoutMs = 20_000,
  headers: Record<string, string> = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (process.exited()) throw new Error(`${process.name} exited while starting:\n${process.output()}`);
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`${process.name} not ready at ${url} after ${timeoutMs} ms (${last}):\n${process.output()}`);
}
