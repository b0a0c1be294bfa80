/** One measured load run, whichever generator drove it. */
export interface LoadResult {
  tool: 'wrk' | 'autocannon';
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  non2xx: number;
  errors: number;
  latencyMs: { p50: number; p99: number };
}
