/** What one wrk run reports, in our units (ms, seconds). */
export interface WrkResult {
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  non2xx: number;
  socketErrors: number;
  latencyMs: { p50: number; p75: number; p90: number; p99: number };
}

const TIME_UNITS_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `0.95ms`, `151us`, `1.02s` → milliseconds. */
export function parseWrkTime(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (!match) return Number.NaN;
  return Number(match[1]) * (TIME_UNITS_MS[match[2] as string] as number);
}

/** Parses `wrk --latency` text output; throws when the run summary is missing. */
export function parseWrkOutput(text: string): WrkResult {
  const summary = /(\d+) requests in ([\d.]+\w+),/.exec(text);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(text);
  if (!summary || !rate) throw new Error(`unrecognised wrk output:\n${text}`);
  const latency = (label: string): number => {
    const match = new RegExp(`^\\s+${label}%\\s+(\\S+)$`, 'm').exec(text);
    return match ? parseWrkTime(match[1] as string) : Number.NaN;
  };
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    requests: Number(summary[1]),
    durationSeconds: parseWrkTime(summary[2] as string) / 1000,
    requestsPerSecond: Number(rate[1]),
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: socket ? socket.slice(1).reduce((sum, count) => sum + Number(count), 0) : 0,
    latencyMs: { p50: latency('50'), p75: latency('75'), p90: latency('90'), p99: latency('99') },
  };
}
