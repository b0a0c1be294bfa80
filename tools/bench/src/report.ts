import type { MachineInfo } from './machine-info.ts';
import { SCENARIO_TITLES, type BenchOptions } from './options.ts';
import type { RawResults, Ratios, TargetResult, ThroughputSummary } from './results.ts';
import type { ThroughputId } from './scenarios/throughput.ts';
import { median, round } from './stats.ts';
import { computeRatios, evaluateTargets, summariseThroughput } from './summary.ts';
import { formatTable, type Cell } from './table.ts';

export interface BenchReport {
  schema: 1;
  startedAt: string;
  finishedAt: string;
  options: Omit<BenchOptions, 'only'> & { only: string[] };
  machine: MachineInfo;
  throughput: Partial<Record<ThroughputId, ThroughputSummary>>;
  ratios: Ratios;
  targets: TargetResult[];
  raw: RawResults;
}

export function buildReport(input: {
  raw: RawResults;
  options: BenchOptions;
  machine: MachineInfo;
  startedAt: Date;
  finishedAt: Date;
}): BenchReport {
  const throughput = summariseThroughput(input.raw);
  const ratios = computeRatios(throughput);
  return {
    schema: 1,
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    options: { ...input.options, only: [...input.options.only] },
    machine: input.machine,
    throughput,
    ratios,
    targets: evaluateTargets(input.raw, throughput, ratios),
    raw: input.raw,
  };
}

/** JSON with NaN/Infinity as null (JSON.stringify would do the same, silently) and typed arrays as plain arrays. */
export function reportJson(report: BenchReport): string {
  return `${JSON.stringify(
    report,
    (_key, value: unknown) => {
      if (typeof value === 'number' && !Number.isFinite(value)) return null;
      if (ArrayBuffer.isView(value)) return undefined;
      return value;
    },
    2,
  )}\n`;
}

const ms = (value: number | undefined) => (value === undefined ? null : round(value, 3));

export function reportText(report: BenchReport): string {
  const { raw, throughput, ratios, options, machine } = report;
  const parts: string[] = [];
  const tool = Object.values(throughput)[0]?.tool ?? 'wrk';
  parts.push(
    `RouteMCP bench — ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, nginx ${machine.nginx ?? '–'}, ` +
      `redis ${machine.redis ?? '–'}, commit ${machine.gitCommit?.slice(0, 7) ?? '?'}${machine.gitDirty ? ' (dirty)' : ''}`,
  );
  const throughputRows: Cell[][] = (['a', 'b', 'c', 'd', 'j'] as const).map((id) => {
    const s = throughput[id];
    return [
      `${id} ${SCENARIO_TITLES[id]}`,
      s ? round(s.medianRps, 0) : null,
      s ? round(s.minRps, 0) : null,
      s ? round(s.maxRps, 0) : null,
      s ? round(s.medianCpuMicrosPerRequest, 1) : null,
      ms(s?.medianP50Ms),
      ms(s?.medianP99Ms),
      s ? s.non2xx + s.errors : null,
    ];
  });
  parts.push(
    `\nThroughput: median of ${options.rounds} interleaved rounds, ${tool} ${options.connections} connections, ${options.durationSeconds}s each`,
    formatTable(['scenario', 'req/s', 'min', 'max', 'CPU µs/req', 'p50 ms', 'p99 ms', 'non-2xx/err'], throughputRows),
    `\nRatios: d/c ${fmt(ratios.throughputDOverC)}×  d/b ${fmt(ratios.throughputDOverB)}×  d/a ${fmt(ratios.throughputDOverA)}×  ` +
      `CPU per request d/b ${fmt(ratios.cpuDOverB)}×  d/c ${fmt(ratios.cpuDOverC)}×` +
      (throughput.j
        ? `\nTwo workers (j): j/d ${fmt(ratios.throughputJOverD)}×  j/c ${fmt(ratios.throughputJOverC)}×  ` +
          `j/b ${fmt(ratios.throughputJOverB)}× (nginx runs one worker)`
        : ''),
  );
  const other: Cell[][] = [];
  if (raw.cacheMiss) {
    const c = raw.cacheMiss;
    other.push([
      `e miss, ${c.keys} keys, ${c.connections} conns`,
      `p50 ${fmt(c.miss.p50, 3)} ms, p99 ${fmt(c.miss.p99, 3)} ms; lookups ${c.keystoreLookups ?? '–'}`,
    ]);
    other.push(['e same keys again (hits)', `p50 ${fmt(c.hit.p50, 3)} ms, p99 ${fmt(c.hit.p99, 3)} ms`]);
    const q = c.sequential;
    other.push([
      `e one at a time, ${q.keys} keys`,
      `miss p50 ${fmt(q.miss.p50, 3)} ms, p99 ${fmt(q.miss.p99, 3)} ms; hit p50 ${fmt(q.hit.p50, 3)} ms, p99 ${fmt(q.hit.p99, 3)} ms (not judged)`,
    ]);
  }
  if (raw.addedLatency) {
    const f = raw.addedLatency;
    other.push([
      `f ${f.rate} req/s, direct vs proxy`,
      `added p50 ${fmt(f.addedP50, 3)} ms, p99 ${fmt(f.addedP99, 3)} ms (direct p50 ${fmt(median(f.direct.p50), 3)} ms; ` +
        `${f.pacing}, ${fmt(median(f.proxy.requestsPerSecond), 0)} req/s achieved)`,
    ]);
  }
  if (raw.revocation) {
    const g = raw.revocation;
    other.push([
      `g ${g.trials} revokes × ${g.proxies} proxies`,
      `p50 ${fmt(g.p50)} ms, p99 ${fmt(g.p99)} ms, max ${fmt(g.max)} ms, timeouts ${g.timeouts}`,
    ]);
  }
  if (raw.rss) {
    const h = raw.rss;
    other.push([
      `h ${h.cachedKeys} of ${h.keys} keys cached`,
      `RSS ${fmt(h.baselineMb, 1)} → ${fmt(h.afterFirstPassMb, 1)} → ${fmt(h.afterSecondPassMb ?? Number.NaN, 1)} MB (${fmt(h.bytesPerCachedKey, 0)} B/key; first tries ${JSON.stringify(h.statuses.first)}, after retrying 503s ${JSON.stringify(h.statuses.final)})`,
    ]);
  }
  if (raw.stampede) {
    const i = raw.stampede;
    other.push([
      `i ${i.requests} concurrent first requests`,
      `keystore lookups ${i.keystoreLookups ?? '–'}; statuses ${JSON.stringify(i.statuses)}`,
    ]);
  }
  if (other.length > 0) parts.push('', formatTable(['scenario', 'result'], other));
  parts.push(
    '',
    formatTable(
      ['target', 'goal', 'value', 'met'],
      report.targets.map((t) => [
        t.figure,
        `${t.target} ${t.unit}`.trim(),
        t.value === null ? null : `${fmt(t.value, t.unit === 'ms' ? 3 : 2)} ${t.unit}`.trim(),
        (t.met === null ? '–' : t.met ? 'yes' : 'NO') + (t.note ? ` (${t.note})` : ''),
      ]),
    ),
  );
  if (raw.notes.length > 0) parts.push('', ...raw.notes.map((note) => `note: ${note}`));
  const skipped = Object.entries(raw.skipped);
  if (skipped.length > 0) parts.push('', ...skipped.map(([id, why]) => `skipped ${id}: ${why}`));
  return parts.join('\n');
}

function fmt(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}
