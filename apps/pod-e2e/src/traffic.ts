import { bearer, request } from './http-client.ts';

export interface TrafficResult {
  statuses: number[];
  /** Transport errors (no HTTP answer), by message. */
  errors: string[];
}

/**
 * Sends `total` requests with `key`, `concurrency` at a time, each on a fresh
 * connection. Phases of a scenario are counted in requests, not in time.
 */
export async function sendTraffic(url: string, key: string, total: number, concurrency = 4): Promise<TrafficResult> {
  const result: TrafficResult = { statuses: [], errors: [] };
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next += 1;
      try {
        result.statuses.push((await request(url, { headers: bearer(key), timeoutMs: 5_000 })).status);
      } catch (error) {
        result.errors.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return result;
}

/** Runs `during` while traffic flows: traffic before, during and after it, all collected. */
export async function withTraffic(
  url: string,
  key: string,
  during: () => Promise<void>,
  { before = 20, after = 20, concurrency = 4 } = {},
): Promise<TrafficResult> {
  const first = await sendTraffic(url, key, before, concurrency);
  const second = await sendTrafficUntil(url, key, during(), concurrency);
  const third = await sendTraffic(url, key, after, concurrency);
  return {
    statuses: [...first.statuses, ...second.statuses, ...third.statuses],
    errors: [...first.errors, ...second.errors, ...third.errors],
  };
}

/** Traffic until `done` settles (at most 2000 requests, so the loop is bounded whatever happens). */
async function sendTrafficUntil(
  url: string,
  key: string,
  done: Promise<void>,
  concurrency: number,
): Promise<TrafficResult> {
  const result: TrafficResult = { statuses: [], errors: [] };
  let finished = false;
  let sent = 0;
  const settled = done.finally(() => {
    finished = true;
  });
  const worker = async () => {
    while (!finished && sent < 2_000) {
      sent += 1;
      try {
        result.statuses.push((await request(url, { headers: bearer(key), timeoutMs: 5_000 })).status);
      } catch (error) {
        result.errors.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all([settled, ...Array.from({ length: concurrency }, worker)]);
  return result;
}

export function countBy(values: (string | number)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/**
 * `total` requests, `concurrency` at a time, each on a fresh connection with
 * its own X-Request-Id (`${idPrefix}${n}`), so the proxy's access log can
 * be matched with what each client got.
 */
export async function numberedTraffic(url: string, key: string, total: number, concurrency: number, idPrefix: string) {
  const answered = new Map<string, number>();
  const failed = new Map<string, string>();
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const id = `${idPrefix}${next++}`;
      try {
        const res = await request(url, { headers: { ...bearer(key), 'x-request-id': id }, timeoutMs: 5_000 });
        answered.set(id, res.status);
      } catch (error) {
        failed.set(id, error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { answered, failed };
}
