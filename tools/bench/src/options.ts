import { parseArgs } from 'node:util';

export const SCENARIOS = [
  'direct',
  'nginx',
  'naive',
  'proxy',
  'cache-miss',
  'added-latency',
  'revocation',
  'rss',
  'stampede',
  'proxy-workers',
  'floor',
  'floor+evalsha',
  'fastify',
  'proxy-info',
  'proxy-leases-off',
  'proxy-info-leases-off',
  'proxy-traced',
  'nginx-authz',
  'nginx-allow',
  'authz',
  'authz-floor',
] as const;
export type ScenarioId = (typeof SCENARIOS)[number];

export const SCENARIO_TITLES: Record<ScenarioId, string> = {
  direct: 'direct upstream',
  nginx: 'nginx reverse proxy',
  naive: 'naive Express gateway',
  proxy: 'the proxy as it ships: cache hit, leases on, warn',
  'cache-miss': 'the proxy on a cache miss (keystore lookup)',
  'added-latency': 'added latency at a fixed rate',
  revocation: 'revocation propagation, 2 proxies',
  rss: 'proxy RSS with many cached keys',
  stampede: 'stampede: concurrent first requests, one key',
  'proxy-workers': 'proxy, PROXY_WORKERS=2',
  floor: 'Node floor: node:http + undici Pool',
  'floor+evalsha': 'Node floor + one EVALSHA',
  fastify: 'fastify gateway',
  'proxy-info': 'proxy, LOG_LEVEL=info',
  'proxy-leases-off': 'proxy, RATE_LIMIT_LEASES=off',
  'proxy-info-leases-off': 'proxy, leases off, LOG_LEVEL=info',
  'proxy-traced': 'proxy, OTLP tracing at a 1 % sample',
  'nginx-authz': 'nginx auth_request → our authz',
  'nginx-allow': 'nginx auth_request → Node allow-all',
  authz: 'authz alone (GET /authz/…)',
  'authz-floor': 'node:http 200, no work',
};

/** Everything a run needs to know, resolved from the command line. */
export interface BenchOptions {
  quick: boolean;
  rounds: number;
  /** Per throughput round and per side of added-latency. */
  durationSeconds: number;
  connections: number;
  /** Relative paths resolve against the workspace root. */
  out: string;
  only: ReadonlySet<ScenarioId>;
  warmupSeconds: number;
  cacheMissKeys: number;
  fixedRate: number;
  revocationTrials: number;
  rssKeys: number;
  stampedeRequests: number;
  /** When set, the main proxy runs with --cpu-prof and writes its profile here on exit. */
  cpuProfileDir: string | null;
  /** Extra Node/V8 flags for every proxy the bench starts (on its command line), e.g. to compare heap settings. */
  proxyNodeOptions: string | null;
  /** Wall-clock budget after which remaining work is skipped, not cut short mid-measurement. */
  budgetSeconds: number;
}

export const USAGE = `npm run bench -- [options]

  --quick             CI mode: short scenarios, whole run under two minutes, no targets enforced
  --rounds N          interleaved throughput rounds (default 5; quick 1)
  --duration S        seconds per throughput round (default 8; quick 2)
  --connections C     concurrent connections for throughput rounds (default 50)
  --out FILE          JSON results (default bench-results/<timestamp>.json)
  --only proxy,floor  run only these scenarios: ${SCENARIOS.join(', ')}
  --cpu-prof DIR      profile the proxy, the traced proxy and the authz; summarise with
                      node tools/bench/src/profile-summary.ts DIR/*.cpuprofile
  --proxy-node-options=FLAGS
                      Node/V8 flags for every proxy started, e.g.
                      --proxy-node-options="--max-semi-space-size=4" (the = is needed)
  --help              this text
`;

export class UsageError extends Error {
  override name = 'UsageError';
}

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`--${name} expects a positive whole number, got "${text}"`);
  return value;
}

function scenarioSet(text: string | undefined): ReadonlySet<ScenarioId> {
  if (text === undefined) return new Set(SCENARIOS);
  const picked = new Set<ScenarioId>();
  for (const raw of text.split(',')) {
    const id = raw.trim().toLowerCase();
    if (id === '') continue;
    if (!(SCENARIOS as readonly string[]).includes(id))
      throw new UsageError(`--only: unknown scenario "${raw}" (use ${SCENARIOS.join(', ')})`);
    picked.add(id as ScenarioId);
  }
  if (picked.size === 0) throw new UsageError('--only needs at least one scenario');
  return picked;
}

/** Pure: argv (without node and script) and a start time → options, or a UsageError. */
export function parseOptions(argv: readonly string[], startedAt: Date): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      out: { type: 'string' },
      only: { type: 'string' },
      'cpu-prof': { type: 'string' },
      'proxy-node-options': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const quick = values.quick;
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  return {
    quick,
    rounds: positiveInteger('rounds', values.rounds, quick ? 1 : 5),
    durationSeconds: positiveInteger('duration', values.duration, quick ? 2 : 8),
    connections: positiveInteger('connections', values.connections, 50),
    out: values.out ?? `bench-results/${stamp}${quick ? '-quick' : ''}.json`,
    only: scenarioSet(values.only),
    warmupSeconds: quick ? 1 : 3,
    cacheMissKeys: quick ? 300 : 2000,
    fixedRate: 1000,
    revocationTrials: quick ? 5 : 30,
    rssKeys: quick ? 5000 : 100_000,
    stampedeRequests: 1000,
    cpuProfileDir: values['cpu-prof'] ?? null,
    proxyNodeOptions: values['proxy-node-options']?.trim() || null,
    // Issue 21 added four throughput rows (quick: ≈ 17 s of 125 s on a loaded machine), so revocation and rss still run.
    budgetSeconds: quick ? 140 : 1100,
  };
}

/** parseOptions for main: prints usage and exits on --help (0) or a bad flag (2). */
export function parseCommandLine(argv: readonly string[], startedAt: Date): BenchOptions {
  try {
    const options = parseOptions(argv, startedAt);
    if (options !== 'help') return options;
    process.stdout.write(USAGE);
    process.exit(0);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}
