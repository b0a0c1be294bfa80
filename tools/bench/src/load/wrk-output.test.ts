import { describe, expect, it } from 'vitest';
import { parseWrkOutput, parseWrkTime } from './wrk-output.ts';

// Captured from wrk 4.1.0 on this machine.
const output = `Running 1s test @ http://127.0.0.1:17001/x
  1 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.21ms   30.60ms 167.30ms   91.37%
    Req/Sec     6.45k     2.58k    9.97k    44.44%
  Latency Distribution
     50%    0.95ms
     75%    3.75ms
     90%   36.14ms
     99%  151.78ms
  6794 requests in 1.05s, 869.15KB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 6794
Requests/sec:   6476.38
Transfer/sec:    828.52KB
`;

describe('parseWrkOutput', () => {
  it('reads counts, rate and the latency distribution in ms', () => {
    expect(parseWrkOutput(output)).toEqual({
      requests: 6794,
      durationSeconds: 1.05,
      requestsPerSecond: 6476.38,
      non2xx: 6794,
      socketErrors: 3,
      latencyMs: { p50: 0.95, p75: 3.75, p90: 36.14, p99: 151.78 },
    });
  });

  it('treats missing error lines as zero', () => {
    const clean = output.replace(/^\s+(Socket errors|Non-2xx).*\n/gm, '');
    expect(parseWrkOutput(clean)).toMatchObject({ non2xx: 0, socketErrors: 0 });
  });

  it('throws on output without a summary', () => {
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused')).toThrow(/unrecognised/);
  });
});

describe('parseWrkTime', () => {
  it('converts wrk units to ms', () => {
    expect(parseWrkTime('151.00us')).toBeCloseTo(0.151);
    expect(parseWrkTime('2.5s')).toBe(2500);
    expect(parseWrkTime('n/a')).toBeNaN();
  });
});
