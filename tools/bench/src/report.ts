import type { MachineInfo } from './machine-info.ts';
import { SCENARIO_TITLES, type BenchOptions } from './options.ts';
import type { RatioResult, RawResults, TargetResult, ThroughputSummary } from './results.ts';
import { THROUGHPUT_ORDER, type ThroughputId } from './scenarios/throughput.ts';
import { median, round } from './stats.ts';
import { computeRatios, summariseThroughput } from './summary.ts';
import { evaluateTargets } from './targets.ts';
import { formatTable, type Cell } from './table.ts';

export interface BenchReport {
  /**
   * 4: scenarios named (proxy, floor, …) instead of lettered, in every key;
   * issue 22's targets. 3: leases-off scenarios and issue 12's targets judged on them,
   * targets with `beside`, cache-miss/revocation on PostgreSQL (revocation with `replicas`
   * and `acrossReplicas`), issue 13's targets. 2 had floor, fastify and
   * proxy-at-info scenarios, per-round ratios keyed by id, targets with
   * their issue, cache-miss/revocation per keystore.
   */
  schema: 4;
  startedAt: string;
  finishedAt: string;
  options: Omit<BenchOptions, 'only'> & { only: string[] };
  machine: MachineInfo;
  throughput: Partial<Record<ThroughputId, ThroughputSummary>>;
  ratios: Record<string, RatioResult>;
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
  const ratios = computeRatios(input.raw.rounds);
  return {
    schema: 4,
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    options: { ...input.options, only: [...input.options.only] },
    machine: input.machine,
    throughput,
    ratios,
    targets: evaluateTargets(input.raw, ratios),
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

/** How the lease modes are judged: said at the top of every report. */
export const JUDGED_HOW =
  "Issue 12's targets are judged with leases off (proxy-leases-off, proxy-info-leases-off: RATE_LIMIT_LEASES=off, one " +
  'Redis call per request, the like-for-like with floor+evalsha); the leases-on figures (proxy, proxy-info: the default) ' +
  'are printed beside them, not judged for #12. Issues 14 and 22 are judged on proxy, leases on.';

export function reportText(report: BenchReport): string {
  const { raw, throughput, ratios, options, machine } = report;
  const parts: string[] = [];
  const tool = Object.values(throughput)[0]?.tool ?? 'wrk';
  parts.push(
    `RouteMCP bench — ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, nginx ${machine.nginx ?? '–'}, ` +
      `redis ${machine.redis ?? '–'}, PostgreSQL ${machine.postgres ?? '–'}, commit ${machine.gitCommit?.slice(0, 7) ?? '?'}${machine.gitDirty ? ' (dirty)' : ''}`,
  );
  parts.push(JUDGED_HOW);
  const shown = THROUGHPUT_ORDER.filter((id) => throughput[id] !== undefined || options.only.includes(id));
  const throughputRows: Cell[][] = shown.map((id) => {
    const s = throughput[id];
    return [
      `${id}: ${SCENARIO_TITLES[id]}`,
      s ? round(s.medianRps, 0) : null,
      s ? round(s.minRps, 0) : null,
      s ? round(s.maxRps, 0) : null,
      s ? round(s.medianCpuMicrosPerRequest, 1) : null,
      ms(s?.medianP50Ms),
      ms(s?.medianP99Ms),
      s ? s.non2xx + s.errors : null,
    ];
  });
  if (throughputRows.length > 0) {
    parts.push(
      `\nThroughput: median of ${options.rounds} interleaved rounds (${shown.join(',')}), ${tool} ${options.connections} connections, ${options.durationSeconds}s each`,
      formatTable(['scenario', 'req/s', 'min', 'max', 'CPU µs/req', 'p50 ms', 'p99 ms', 'non-2xx/err'], throughputRows),
    );
    if (throughput['proxy-info'] || throughput['proxy-info-leases-off'])
      parts.push(
        "(proxy-info, proxy-info-leases-off: the proxy's access log goes to a pipe the bench drains, as a container runtime's would be)",
      );
  }
  const ratioRows = Object.values(ratios).filter((r) => Number.isFinite(r.median));
  if (ratioRows.length > 0) {
    const roundCount = Math.max(...ratioRows.map((r) => r.perRound.length));
    const roundHeads = Array.from({ length: roundCount }, (_, i) => `r${i + 1}`);
    parts.push(
      '\nRatios: per round (same round, seconds apart) and their median; req/s above 1 and CPU/req below 1 favour the first',
      formatTable(
        ['ratio', 'of', ...roundHeads, 'median'],
        ratioRows.map((r) => [
          `${r.measure === 'cpu' ? 'CPU/req' : 'req/s'} ${r.numerator}/${r.denominator}`,
          r.label,
          ...roundHeads.map((_, i) => round(r.perRound[i] ?? Number.NaN, 2)),
          round(r.median, 2),
        ]),
      ),
    );
  }
  const other: Cell[][] = [];
  for (const c of raw.cacheMiss) {
    other.push([
      `cache-miss: miss, ${c.keys} keys, ${c.connections} conns (${c.keystore})`,
      `p50 ${fmt(c.miss.p50, 3)} ms, p99 ${fmt(c.miss.p99, 3)} ms; lookups ${c.keystoreLookups ?? '–'}`,
    ]);
    other.push([
      `cache-miss: same keys again (hits, ${c.keystore})`,
      `p50 ${fmt(c.hit.p50, 3)} ms, p99 ${fmt(c.hit.p99, 3)} ms`,
    ]);
    const q = c.sequential;
    other.push([
      `cache-miss: one at a time, ${q.keys} keys (${c.keystore})`,
      `miss p50 ${fmt(q.miss.p50, 3)} ms, p99 ${fmt(q.miss.p99, 3)} ms; hit p50 ${fmt(q.hit.p50, 3)} ms, p99 ${fmt(q.hit.p99, 3)} ms (not judged)`,
    ]);
  }
  if (raw.addedLatency) {
    const f = raw.addedLatency;
    const added = (['floor', 'floor+evalsha', 'proxy', 'proxy-leases-off'] as const)
      .filter((id) => f.added[id] !== undefined)
      .map((id) => `${id} +${fmt(f.added[id]?.p50 ?? Number.NaN, 3)}/+${fmt(f.added[id]?.p99 ?? Number.NaN, 3)}`);
    other.push([
      `added-latency: ${f.rate} req/s, added over direct`,
      `p50/p99 ms: ${added.join(', ')} (direct p50 ${fmt(median(f.sides['direct']?.p50 ?? []), 3)} ms; ` +
        `${f.pacing}, ${fmt(median(f.sides['proxy']?.requestsPerSecond ?? []), 0)} req/s achieved)`,
    ]);
  }
  for (const g of raw.revocation) {
    const across = g.acrossReplicas;
    other.push([
      `revocation: ${g.trials} revokes × ${g.proxies} proxies (${g.keystore}${g.replicas > 1 ? `, ${g.replicas} replicas` : ''})`,
      `p50 ${fmt(g.p50)} ms, p99 ${fmt(g.p99)} ms, max ${fmt(g.max)} ms, timeouts ${g.timeouts}` +
        (across
          ? `; across replicas p50 ${fmt(across.p50)} ms, p99 ${fmt(across.p99)} ms, max ${fmt(across.max)} ms`
          : ''),
    ]);
  }
  if (raw.rss) {
    const h = raw.rss;
    other.push([
      `rss: ${h.cachedKeys} of ${h.keys} keys cached`,
      `RSS ${fmt(h.baselineMb, 1)} → ${fmt(h.afterFirstPassMb, 1)} → ${fmt(h.afterSecondPassMb ?? Number.NaN, 1)} MB (${fmt(h.bytesPerCachedKey, 0)} B/key; first tries ${JSON.stringify(h.statuses.first)}, after retrying 503s ${JSON.stringify(h.statuses.final)})`,
    ]);
  }
  if (raw.stampede) {
    const i = raw.stampede;
    other.push([
      `stampede: ${i.requests} concurrent first requests`,
      `keystore lookups ${i.keystoreLookups ?? '–'}; statuses ${JSON.stringify(i.statuses)}`,
    ]);
  }
  if (other.length > 0) parts.push('', formatTable(['scenario', 'result'], other));
  parts.push(
    '',
    formatTable(
      ['issue', 'target', 'goal', 'value', 'beside, not judged', 'met'],
      report.targets.map((t) => {
        // A value that rounds onto its goal (0.947 against ≥ 0.95) gets a third digit, or it would read as met.
        const goal = t.target.replace(/^[≥≤=] /, '');
        const digitsOf = (v: number) => (t.unit === 'ms' ? 3 : fmt(v, 2) === goal ? 3 : 2);
        const value = (v: number) => `${fmt(v, digitsOf(v))} ${t.unit}`.trim();
        return [
          `#${t.issue}`,
          t.figure,
          `${t.target} ${t.unit}`.trim(),
          t.value === null ? null : value(t.value),
          t.beside ? `${t.beside.label} ${t.beside.value === null ? '–' : value(t.beside.value)}` : '',
          (t.met === null ? '–' : t.met ? 'yes' : 'NO') + (t.note ? ` (${t.note})` : ''),
        ];
      }),
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
