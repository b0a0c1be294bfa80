import type { AddedLatencyResult } from './scenarios/added-latency.ts';
import type { CacheMissResult } from './scenarios/cache-miss.ts';
import type { RevocationResult } from './scenarios/revocation.ts';
import type { RssResult } from './scenarios/rss.ts';
import type { StampedeResult } from './scenarios/stampede.ts';
import type { ThroughputId, ThroughputRound } from './scenarios/throughput.ts';

/** Raw outcome of one run: what each scenario measured, before any summarising. */
export interface RawResults {
  rounds: ThroughputRound[];
  cacheMiss?: CacheMissResult;
  addedLatency?: AddedLatencyResult;
  revocation?: RevocationResult;
  rss?: RssResult;
  stampede?: StampedeResult;
  /** How the run deviated from the plain path (key seeding fallback, …). */
  notes: string[];
  /** Scenario id → why it did not run. */
  skipped: Record<string, string>;
}

export interface ThroughputSummary {
  scenario: ThroughputId;
  tool: string;
  rounds: number;
  medianRps: number;
  minRps: number;
  maxRps: number;
  medianCpuMicrosPerRequest: number;
  medianP50Ms: number;
  medianP99Ms: number;
  non2xx: number;
  errors: number;
}

export interface Ratios {
  /** (d) req/s ÷ (c) req/s, medians. */
  throughputDOverC: number;
  throughputDOverB: number;
  throughputDOverA: number;
  /** CPU µs/request of (d) ÷ that of (b): how many nginx's worth of CPU a request costs. */
  cpuDOverB: number;
  cpuDOverC: number;
  /** (j), two workers, against one (d), the naive gateway (c) and nginx with one worker (b). */
  throughputJOverD: number;
  throughputJOverC: number;
  throughputJOverB: number;
}

export interface TargetResult {
  id: string;
  figure: string;
  target: string;
  value: number | null;
  unit: string;
  /** null: not measured in this run (or not at the target's scale). */
  met: boolean | null;
  note?: string;
}
