/**
 * Retries `attempt` until it returns a value other than undefined, at most
 * `timeoutMs`. For the containers' own clocks and event streams, which a
 * test cannot inject; the bound is the failure message, not a speed claim.
 */
export async function poll<T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  { timeoutMs = 15_000, intervalMs = 50 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const result = await attempt();
      if (result !== undefined) return result;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
