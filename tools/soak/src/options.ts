import { parseArgs } from 'node:util';

export interface SoakOptions {
  minutes: number;
  /** Requests per second, held constant whatever the latency (open loop). */
  rate: number;
  /** Share of requests sent with a key that must be refused (unknown or malformed). */
  invalidPercent: number;
  sampleSeconds: number;
  /** Where soak.json and soak.html go. */
  out: string;
  /** Skip the Redis faults and run the limiter in memory. */
  noRedis: boolean;
}

export const USAGE = `Usage: npm run soak -- [--minutes 10] [--rate 200] [--invalid-percent 1] [--sample-seconds 2] [--out reports/soak] [--no-redis]

Runs api, keystore, proxy (and redis-server when installed) on free loopback
ports, drives a fixed request rate through the proxy for --minutes while
pausing and restarting the keystore and Redis, and samples the proxy's RSS,
open file descriptors, event-loop lag and answers. Writes soak.json and
soak.html (charts) under --out. Exit code 1 when the proxy died or answered
anything but 200 to a valid key or 401/503 to an invalid one.`;

export class UsageError extends Error {
  override name = 'UsageError';
}

function positive(name: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > max)
    throw new UsageError(`--${name}: expected a number in (0, ${max}]`);
  return value;
}

export function parseOptions(argv: readonly string[]): SoakOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        minutes: { type: 'string' },
        rate: { type: 'string' },
        'invalid-percent': { type: 'string' },
        'sample-seconds': { type: 'string' },
        out: { type: 'string' },
        'no-redis': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return {
    // Bounded: a soak that forgets to stop is a machine nobody else can use.
    minutes: positive('minutes', parsed.minutes, 10, 24 * 60),
    rate: positive('rate', parsed.rate, 200, 20_000),
    invalidPercent: positive('invalid-percent', parsed['invalid-percent'], 1, 100),
    sampleSeconds: positive('sample-seconds', parsed['sample-seconds'], 2, 60),
    out: parsed.out ?? 'reports/soak',
    noRedis: parsed['no-redis'] ?? false,
  };
}
