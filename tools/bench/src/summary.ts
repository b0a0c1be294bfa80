import type { RawResults, Ratios, TargetResult, ThroughputSummary } from './results.ts';
import type { ThroughputId } from './scenarios/throughput.ts';
import { median, ratio } from './stats.ts';

export function summariseThroughput(raw: RawResults): Partial<Record<ThroughputId, ThroughputSummary>> {
  const out: Partial<Record<ThroughputId, ThroughputSummary>> = {};
  for (const scenario of ['a', 'b', 'c', 'd', 'j'] as const) {
    const rounds = raw.rounds.filter((round) => round.scenario === scenario);
    if (rounds.length === 0) continue;
    const rps = rounds.map((round) => round.requestsPerSecond);
    out[scenario] = {
      scenario,
      tool: rounds[0]?.tool ?? '',
      rounds: rounds.length,
      medianRps: median(rps),
      minRps: Math.min(...rps),
      maxRps: Math.max(...rps),
      medianCpuMicrosPerRequest: median(rounds.map((round) => round.cpuMicrosPerRequest)),
      medianP50Ms: median(rounds.map((round) => round.latencyMs.p50)),
      medianP99Ms: median(rounds.map((round) => round.latencyMs.p99)),
      non2xx: rounds.reduce((sum, round) => sum + round.non2xx, 0),
      errors: rounds.reduce((sum, round) => sum + round.errors, 0),
    };
  }
  return out;
}

export function computeRatios(summary: Partial<Record<ThroughputId, ThroughputSummary>>): Ratios {
  const rps = (id: ThroughputId) => summary[id]?.medianRps ?? Number.NaN;
  const cpu = (id: ThroughputId) => summary[id]?.medianCpuMicrosPerRequest ?? Number.NaN;
  return {
    throughputDOverC: ratio(rps('d'), rps('c')),
    throughputDOverB: ratio(rps('d'), rps('b')),
    throughputDOverA: ratio(rps('d'), rps('a')),
    cpuDOverB: ratio(cpu('d'), cpu('b')),
    cpuDOverC: ratio(cpu('d'), cpu('c')),
    throughputJOverD: ratio(rps('j'), rps('d')),
    throughputJOverC: ratio(rps('j'), rps('c')),
    throughputJOverB: ratio(rps('j'), rps('b')),
  };
}

function atMost(value: number, limit: number): boolean | null {
  return Number.isFinite(value) ? value <= limit : null;
}

function atLeast(value: number, limit: number): boolean | null {
  return Number.isFinite(value) ? value >= limit : null;
}

function finite(value: number | null | undefined): number | null {
  return value !== null && value !== undefined && Number.isFinite(value) ? value : null;
}

function noteFrom(parts: readonly string[]): { note?: string } {
  const text = parts.filter((part) => part !== '').join('; ');
  return text === '' ? {} : { note: text };
}

/** The targets, each judged from this run; null where the run did not measure it. */
export function evaluateTargets(
  raw: RawResults,
  summary: Partial<Record<ThroughputId, ThroughputSummary>>,
  ratios: Ratios,
  fullScaleRssKeys = 100_000,
): TargetResult[] {
  const cpuD = summary.d?.medianCpuMicrosPerRequest ?? Number.NaN;
  const added = raw.addedLatency;
  const missP50 = raw.cacheMiss?.miss.p50 ?? Number.NaN;
  const revocation = raw.revocation;
  const rss = raw.rss;
  const rssMb = rss ? Math.max(rss.afterFirstPassMb, rss.afterSecondPassMb ?? 0) : Number.NaN;
  const lookups = raw.stampede?.keystoreLookups;
  const targets: TargetResult[] = [
    {
      id: 'cpu-d',
      figure: 'proxy CPU per request (d)',
      target: '≤ 80',
      value: finite(cpuD),
      unit: 'µs',
      met: atMost(cpuD, 80),
    },
    {
      id: 'd-over-c',
      figure: 'throughput (d) ÷ naive (c)',
      target: '≥ 2.0',
      value: finite(ratios.throughputDOverC),
      unit: '×',
      met: atLeast(ratios.throughputDOverC, 2),
    },
    {
      id: 'd-over-b',
      figure: 'throughput (d) ÷ nginx (b)',
      target: '≥ 0.5',
      value: finite(ratios.throughputDOverB),
      unit: '×',
      met: atLeast(ratios.throughputDOverB, 0.5),
    },
    {
      id: 'added-p50',
      figure: 'added latency p50 at 1k req/s (f)',
      target: '≤ 0.3',
      value: finite(added?.addedP50),
      unit: 'ms',
      met: atMost(added?.addedP50 ?? Number.NaN, 0.3),
    },
    {
      id: 'added-p99',
      figure: 'added latency p99 at 1k req/s (f)',
      target: '≤ 2',
      value: finite(added?.addedP99),
      unit: 'ms',
      met: atMost(added?.addedP99 ?? Number.NaN, 2),
    },
    {
      id: 'miss-p50',
      figure: 'cache-miss p50 (e)',
      target: '≤ 2',
      value: finite(missP50),
      unit: 'ms',
      met: atMost(missP50, 2),
    },
    {
      id: 'revocation-p99',
      figure: 'revocation to 2 proxies p99 (g)',
      target: '≤ 100',
      value: finite(revocation?.p99),
      unit: 'ms',
      met: revocation ? revocation.timeouts === 0 && revocation.p99 <= 100 : null,
      ...(revocation && revocation.timeouts > 0
        ? { note: `${revocation.timeouts} proxies never answered 401 within 2 s` }
        : {}),
    },
    {
      id: 'rss',
      figure: `RSS with ${rss?.cachedKeys ?? fullScaleRssKeys} cached keys (h)`,
      target: '≤ 150',
      value: finite(rssMb),
      unit: 'MB',
      // 99 %: a stray keystore timeout on one key out of 100 000 does not void the figure.
      met: rss && rss.cachedKeys >= 0.99 * fullScaleRssKeys ? atMost(rssMb, 150) : null,
      ...noteFrom([
        rss && rss.cachedKeys < fullScaleRssKeys ? `target is defined at ${fullScaleRssKeys} cached keys` : '',
      ]),
    },
    {
      id: 'stampede',
      figure: 'keystore lookups, 1000 concurrent first requests (i)',
      target: '= 1',
      value: finite(lookups),
      unit: '',
      met: lookups === null || lookups === undefined ? null : lookups === 1,
      ...(raw.stampede && lookups === null
        ? { note: 'proxy does not export routemcp_proxy_keystore_requests_total' }
        : {}),
    },
  ];
  return targets;
}
