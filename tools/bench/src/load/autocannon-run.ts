import autocannon, { type Result } from 'autocannon';
import { percentile } from '../stats.ts';
import type { LoadResult } from './load-result.ts';

export interface AutocannonRun {
  url: string;
  connections: number;
  /** Seconds; ignored when `amount` is set. */
  durationSeconds?: number;
  /** Total requests, then stop. */
  amount?: number;
  /** Open-loop pacing across all connections (req/s). */
  overallRate?: number;
  /** Fixed headers for every request. */
  headers?: Record<string, string>;
  /** Per-request Authorization header (cache-miss runs: a new key each time). */
  nextAuthorization?: () => string;
}

export interface AutocannonResult extends LoadResult {
  /** Every response time in ms, at full resolution (autocannon's own histogram rounds to 1 ms). */
  latenciesMs: Float64Array;
  statuses: Record<string, number>;
}

/** Runs autocannon in this process and keeps sub-millisecond latencies from its response events. */
export async function runAutocannon(run: AutocannonRun): Promise<AutocannonResult> {
  let latencies = new Float64Array(16_384);
  let count = 0;
  const statuses: Record<string, number> = {};
  const options: autocannon.Options = {
    url: run.url,
    connections: run.connections,
    ...(run.amount === undefined ? { duration: run.durationSeconds ?? 10 } : { amount: run.amount }),
    ...(run.overallRate === undefined ? {} : { overallRate: run.overallRate }),
    headers: run.headers ?? {},
    ...(run.nextAuthorization === undefined
      ? {}
      : {
          requests: [
            {
              setupRequest: (request) => ({
                ...request,
                headers: { ...request.headers, authorization: (run.nextAuthorization as () => string)() },
              }),
            },
          ],
        }),
  };
  const onResponse = (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count++] = responseTime;
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  };
  const result = await new Promise<Result>((resolve, reject) => {
    const instance = autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
    instance.on('response', onResponse);
  });
  const samples = latencies.subarray(0, count);
  const durationSeconds = result.duration;
  const ok = Object.entries(statuses).reduce((sum, [status, n]) => (status.startsWith('2') ? sum + n : sum), 0);
  return {
    tool: 'autocannon',
    requests: count,
    durationSeconds,
    requestsPerSecond: durationSeconds > 0 ? count / durationSeconds : Number.NaN,
    non2xx: count - ok,
    errors: result.errors + result.timeouts,
    latencyMs: { p50: percentile(samples, 50), p99: percentile(samples, 99) },
    latenciesMs: samples,
    statuses,
  };
}
