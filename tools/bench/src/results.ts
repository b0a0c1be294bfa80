import type { AddedLatencyResult } from './scenarios/added-latency.ts';
import type { CacheMissResult } from './scenarios/cache-miss.ts';
import type { RevocationResult } from './scenarios/revocation.ts';
import type { RssResult } from './scenarios/rss.ts';
import type { StampedeResult } from './scenarios/stampede.ts';
import type { ThroughputId, ThroughputRound } from './scenarios/throughput.ts';

/** Raw outcome of one run: what each scenario measured, before any summarising. */
export interface RawResults {
  rounds: ThroughputRound[];
  /** One per keystore back end (see KeystoreSetup). */
  cacheMiss: CacheMissResult[];
  addedLatency?: AddedLatencyResult;
  /** One per keystore back end. */
  revocation: RevocationResult[];
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

/** `numerator ÷ denominator` of one measure, scenario against scenario. */
export interface RatioSpec {
  /** `rps:proxy/floor+evalsha`, `cpu:proxy/floor`, …: the measure, then the two scenario ids. */
  id: string;
  label: string;
  measure: 'throughput' | 'cpu';
  numerator: ThroughputId;
  denominator: ThroughputId;
}

export interface RatioResult extends RatioSpec {
  /** Round 1, 2, …: the two scenarios of the same round (neighbours in time); NaN where one is missing. */
  perRound: number[];
  /** Median of `perRound`: the judged figure. */
  median: number;
}

export interface TargetResult {
  id: string;
  /** The issue that set the target (6: first performance pass, 12: hot path, 13: PostgreSQL replicas, 14: token leases). */
  issue: number;
  figure: string;
  target: string;
  value: number | null;
  unit: string;
  /** null: not measured in this run (or not at the target's scale). */
  met: boolean | null;
  note?: string;
  /** The same figure for the other lease mode (issue 12's rows: leases on), printed beside it and not judged. */
  beside?: { label: string; value: number | null };
}
