import { join, resolve } from 'node:path';
import { startBaseline } from './baselines/start-baseline.ts';
import type { BenchContext } from './context.ts';
import { KeystoreAdmin } from './keys/keystore-admin.ts';
import type { KeystoreSetup } from './keys/keystore-setup.ts';
import { keyMaker } from './keys/make-keys.ts';
import { startPostgresIfWanted } from './keys/postgres-setup.ts';
import type { ScenarioId } from './options.ts';
import { processFamily } from './proc.ts';
import {
  appExists,
  newKeystoreTokens,
  startApi,
  startKeystore,
  startProxy,
  type KeystoreKind,
  type RunningApp,
  type RunningKeystore,
  type RunningProxy,
} from './processes/apps.ts';
import { startNginx } from './processes/nginx.ts';
import { startForwardAuth, type Endpoint } from './scenarios/forward-auth.ts';
import { startOtlpSink } from './processes/otlp-sink.ts';
import { startRedis } from './processes/redis-server.ts';
import type { RawResults } from './results.ts';
import { runAddedLatency } from './scenarios/added-latency.ts';
import { runCacheMiss } from './scenarios/cache-miss.ts';
import { runRevocation } from './scenarios/revocation.ts';
import { runRss } from './scenarios/rss.ts';
import { runStampede } from './scenarios/stampede.ts';
import {
  runThroughputRounds,
  THROUGHPUT_ORDER,
  type ThroughputId,
  type ThroughputTarget,
} from './scenarios/throughput.ts';

const NEEDS_KEYSTORE: readonly ScenarioId[] = [
  'naive',
  'proxy',
  'cache-miss',
  'added-latency',
  'revocation',
  'rss',
  'stampede',
  'proxy-workers',
  'fastify',
  'proxy-info',
  'proxy-leases-off',
  'proxy-info-leases-off',
  'proxy-traced',
  'nginx-authz',
  'authz',
];
const NEEDS_PROXY: readonly ScenarioId[] = [
  'proxy',
  'cache-miss',
  'added-latency',
  'revocation',
  'rss',
  'stampede',
  'proxy-workers',
  'proxy-info',
  'proxy-leases-off',
  'proxy-info-leases-off',
  'proxy-traced',
];
// proxy-workers: more than one worker needs Redis; floor+evalsha: its EVALSHA; nginx-authz, authz: the authz's bucket.
const NEEDS_REDIS: readonly ScenarioId[] = [
  'naive',
  'proxy',
  'cache-miss',
  'added-latency',
  'revocation',
  'rss',
  'stampede',
  'proxy-workers',
  'floor+evalsha',
  'fastify',
  'proxy-info',
  'proxy-leases-off',
  'proxy-info-leases-off',
  'proxy-traced',
  'nginx-authz',
  'authz',
];
const NEEDS_NGINX: readonly ScenarioId[] = ['nginx', 'nginx-authz', 'nginx-allow'];
/** The scenarios that also run on a keystore on PostgreSQL. */
const ON_POSTGRES = ['cache-miss', 'revocation'] as const;

/** Which requested scenarios cannot run here, and why (missing app or binary). */
function unavailable(ctx: BenchContext): Record<string, string> {
  const skipped: Record<string, string> = {};
  for (const id of ctx.options.only) {
    if (NEEDS_NGINX.includes(id) && ctx.tools.nginx === null) skipped[id] = 'nginx is not installed';
    else if ((id === 'nginx-authz' || id === 'authz') && !appExists('proxy'))
      skipped[id] = 'apps/proxy/src/main.ts does not exist';
    else if (NEEDS_KEYSTORE.includes(id) && !appExists('keystore'))
      skipped[id] = 'apps/keystore/src/main.ts does not exist';
    else if (NEEDS_PROXY.includes(id) && !appExists('proxy')) skipped[id] = 'apps/proxy/src/main.ts does not exist';
    else if (NEEDS_REDIS.includes(id) && ctx.tools.redis === null) skipped[id] = 'redis-server is not installed';
  }
  return skipped;
}

/** Counts what a proxy at LOG_LEVEL=info writes on stdout: proof that it paid for its access log. */
function stdoutCounter(proxy: RunningProxy | null): { lines: number; bytes: number } {
  const seen = { lines: 0, bytes: 0 };
  proxy?.process.child.stdout?.on('data', (chunk: Buffer) => {
    seen.bytes += chunk.length;
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) seen.lines++;
  });
  return seen;
}

/**
 * Starts what the selected scenarios need, runs them (throughput rounds
 * interleaved first, then the single-shot scenarios, the 100k-key one last
 * since it fills the keystore), and returns the raw figures. The caller owns
 * `ctx.group` and stops everything.
 */
export async function runBench(ctx: BenchContext): Promise<RawResults> {
  const startedAt = Date.now();
  const inBudget = () => Date.now() - startedAt < ctx.options.budgetSeconds * 1000;
  const skipped = unavailable(ctx);
  const wanted = (id: ScenarioId) => ctx.options.only.has(id) && skipped[id] === undefined;
  const needs = (ids: readonly ScenarioId[]) => ids.some(wanted);
  const raw: RawResults = { rounds: [], cacheMiss: [], revocation: [], notes: [], skipped };
  if (!appExists('api')) throw new Error('apps/api/src/main.ts does not exist: nothing to put behind a proxy');

  ctx.log('starting processes');
  const redis = needs(NEEDS_REDIS) && ctx.tools.redis ? await startRedis(ctx.group, ctx.tools.redis, ctx.dir) : null;
  const api = await startApi(ctx.group);
  const keystore = needs(NEEDS_KEYSTORE)
    ? await startKeystore(ctx.group, {
        name: 'keystore',
        database: { kind: 'sqlite', path: join(ctx.dir, 'keystore.sqlite') },
        tokens: newKeystoreTokens(),
      })
    : null;
  const admin = keystore ? new KeystoreAdmin({ url: keystore.url, adminToken: keystore.adminToken }) : null;
  const launchProxy = (
    name: string,
    options: { env?: Record<string, string>; extra?: string | undefined; on?: RunningKeystore } = {},
  ): Promise<RunningProxy> => {
    const on = options.on ?? keystore;
    if (!on) throw new Error(`${name}: no keystore was started`);
    const nodeOptions = [ctx.options.proxyNodeOptions, options.extra].filter(Boolean).join(' ');
    return startProxy(ctx.group, {
      name,
      upstreamUrl: api.url,
      keystore: on,
      ...(redis ? { redisUrl: redis.url } : {}),
      env: options.env ?? {},
      ...(nodeOptions ? { nodeOptions } : {}),
    });
  };
  const profile = ctx.options.cpuProfileDir
    ? `--cpu-prof --cpu-prof-dir=${resolve(ctx.options.cpuProfileDir)}`
    : undefined;
  const proxy = needs(NEEDS_PROXY) ? await launchProxy('proxy', { extra: profile }) : null;
  // RATE_LIMIT_LEASES=off: one EVALSHA per request, as floor+evalsha pays (issue 12's comparison).
  const leasesOff = { RATE_LIMIT_LEASES: 'off' };
  const proxyLeasesOff = wanted('proxy-leases-off') ? await launchProxy('proxy-leases-off', { env: leasesOff }) : null;
  // LOG_LEVEL=info is the default: one access-log line per request, on stdout, which the process
  // group reads from a pipe as it comes (the way a container runtime drains a container's stdout).
  const proxyInfo = wanted('proxy-info') ? await launchProxy('proxy-info', { env: { LOG_LEVEL: 'info' } }) : null;
  const proxyInfoLeasesOff = wanted('proxy-info-leases-off')
    ? await launchProxy('proxy-info-leases-off', { env: { LOG_LEVEL: 'info', ...leasesOff } })
    : null;
  const accessLogs = {
    'proxy-info': stdoutCounter(proxyInfo),
    'proxy-info-leases-off': stdoutCounter(proxyInfoLeasesOff),
  };
  // Tracing on, as docs/operating.md says to turn it on, sampling 1 % of the (untraced) load into an OTLP sink.
  const otlpSink = wanted('proxy-traced') ? await startOtlpSink(ctx.group) : null;
  const proxyTraced = otlpSink
    ? await launchProxy('proxy-traced', {
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: otlpSink.url,
          OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
          OTEL_TRACES_SAMPLER_ARG: '0.01',
        },
        extra: profile,
      })
    : null;
  const workers = wanted('proxy-workers') ? await launchProxy('proxy-workers', { env: { PROXY_WORKERS: '2' } }) : null;
  const nginx =
    wanted('nginx') && ctx.tools.nginx
      ? await startNginx(ctx.group, ctx.tools.nginx, ctx.dir, Number(new URL(api.url).port))
      : null;
  const gatewayEnv = keystore &&
    redis && {
      UPSTREAM_URL: api.url,
      KEYSTORE_URL: keystore.url,
      KEYSTORE_SERVICE_TOKEN: keystore.serviceToken,
      REDIS_URL: redis.url,
    };
  const naive =
    wanted('naive') && gatewayEnv ? await startBaseline(ctx.group, 'naive-gateway', 'naive', gatewayEnv) : null;
  const fastify =
    wanted('fastify') && gatewayEnv ? await startBaseline(ctx.group, 'fastify-gateway', 'fastify', gatewayEnv) : null;
  // (added-latency) measures the floors' added latency beside the proxy's.
  const floor =
    wanted('floor') || wanted('added-latency')
      ? await startBaseline(ctx.group, 'node-floor', 'floor', { UPSTREAM_URL: api.url })
      : null;
  const floorEvalsha =
    (wanted('floor+evalsha') || wanted('added-latency')) && redis
      ? await startBaseline(ctx.group, 'node-floor-evalsha', 'floor', { UPSTREAM_URL: api.url, REDIS_URL: redis.url })
      : null;
  const mainKey = admin ? await admin.createKey() : null;
  const headers: Record<string, string> = mainKey ? { authorization: `Bearer ${mainKey.key}` } : {};
  if (mainKey) ctx.log(`bench key ${mainKey.hint} (unlimited bucket)`);
  const forwardAuth = await startForwardAuth(ctx, {
    wanted,
    apiPort: Number(new URL(api.url).port),
    authorization: headers.authorization,
    launchAuthz: (authzPort) =>
      launchProxy('proxy-authz', { env: { PROXY_PORT: 'off', AUTHZ_PORT: String(authzPort) }, extra: profile }),
  });

  const own = (app: RunningApp | null) => app && { app, pids: () => [app.process.pid] };
  const family = (app: RunningApp | null) => app && { app, pids: () => processFamily(app.process.pid) };
  const measured = (id: ScenarioId, app: RunningApp | null) => (wanted(id) ? app : null);
  const endpoints: Record<ThroughputId, Endpoint | null> = {
    direct: own(measured('direct', api)),
    nginx: family(nginx),
    naive: own(naive),
    proxy: own(measured('proxy', proxy)),
    'proxy-leases-off': own(proxyLeasesOff),
    'proxy-info-leases-off': own(proxyInfoLeasesOff),
    // The primary and its workers: the primary's share is its admin port and the round-robin accept.
    'proxy-workers': family(workers),
    floor: own(measured('floor', floor)),
    'floor+evalsha': own(measured('floor+evalsha', floorEvalsha)),
    fastify: own(fastify),
    'proxy-info': own(proxyInfo),
    'proxy-traced': own(proxyTraced),
    'nginx-authz': forwardAuth.endpoints['nginx-authz'] ?? null,
    'nginx-allow': forwardAuth.endpoints['nginx-allow'] ?? null,
    authz: forwardAuth.endpoints['authz'] ?? null,
    'authz-floor': forwardAuth.endpoints['authz-floor'] ?? null,
  };
  const targets: ThroughputTarget[] = [];
  for (const id of THROUGHPUT_ORDER) {
    const endpoint = endpoints[id];
    if (endpoint) targets.push({ id, url: endpoint.app.url, headers, pids: endpoint.pids, ...endpoint.load });
  }
  if (targets.length > 0) {
    ctx.log(
      `throughput: ${targets.map((t) => t.id).join(',')} × ${ctx.options.rounds} rounds of ${ctx.options.durationSeconds}s`,
    );
    raw.rounds = await runThroughputRounds(ctx, targets, inBudget);
  }
  for (const [id, info] of [
    ['proxy-info', proxyInfo],
    ['proxy-info-leases-off', proxyInfoLeasesOff],
  ] as const) {
    if (!info) continue;
    // Proof that (proxy-info) and (proxy-info-leases-off) paid for their access log: about one line per request answered.
    const seen = accessLogs[id];
    const answered = raw.rounds.filter((r) => r.scenario === id).reduce((sum, r) => sum + r.requests, 0);
    const line = `${id}: ${seen.lines} stdout lines (${(seen.bytes / 1e6).toFixed(1)} MB) from the info proxy, ${answered} requests in its measured rounds (plus warm-up)`;
    raw.notes.push(line);
    ctx.log(line);
  }
  if (otlpSink) {
    // Proof that (proxy-traced) traced: about 1 % of its requests exported (the batch processor sends every few seconds).
    const { exports, bytes } = await otlpSink.counts();
    const answered = raw.rounds.filter((r) => r.scenario === 'proxy-traced').reduce((sum, r) => sum + r.requests, 0);
    const line = `proxy-traced: ${exports} OTLP exports (${(bytes / 1e3).toFixed(1)} kB) from the traced proxy, ${answered} requests in its measured rounds (plus warm-up)`;
    raw.notes.push(line);
    ctx.log(line);
  }

  /** `variant`: the keystore back end of (cache-miss) and (revocation), so a skip names the one that did not run. */
  const step = async (id: ScenarioId, title: string, run: () => Promise<void>, variant?: KeystoreKind) => {
    if (!wanted(id)) return;
    if (!inBudget()) {
      skipped[variant ? `${id}:${variant}` : id] = 'time budget used up';
      return;
    }
    ctx.log(`${id}: ${title}`);
    await run();
  };
  if (!(proxy && keystore && admin && mainKey)) return raw;
  const note = (line: string) => (raw.notes.push(line), ctx.log(line));
  const makeKeys = keyMaker({ database: keystore.database, admin, note });
  const sqlite: KeystoreSetup = {
    kind: 'sqlite',
    keystore,
    admin,
    makeKeys,
    proxy,
    replicas: 1,
    launchSecondProxy: async (name) => ({ proxy: await launchProxy(name), admin }),
    // Shared with every other scenario: the process group stops it at the end.
    stop: async () => undefined,
  };
  await step('added-latency', `added latency at ${ctx.options.fixedRate} req/s`, async () => {
    raw.addedLatency = await runAddedLatency(
      ctx,
      {
        direct: api.url,
        proxy: proxy.url,
        ...(floor ? { floor: floor.url } : {}),
        ...(floorEvalsha ? { 'floor+evalsha': floorEvalsha.url } : {}),
        ...(proxyLeasesOff ? { 'proxy-leases-off': proxyLeasesOff.url } : {}),
      },
      `Bearer ${mainKey.key}`,
    );
  });
  await step('stampede', `stampede of ${ctx.options.stampedeRequests}`, async () => {
    raw.stampede = await runStampede(ctx, admin, proxy);
  });
  await step(
    'cache-miss',
    `cache miss over ${ctx.options.cacheMissKeys} new keys (sqlite)`,
    async () => void raw.cacheMiss.push(await runCacheMiss(ctx, sqlite)),
    'sqlite',
  );
  // PostgreSQL is started only now, right after (cache-miss) on SQLite so the two misses run close together, and
  // stopped after its (revocation), so its two replicas and their pollers idle through no other scenario.
  const postgres = await startPostgresIfWanted(ctx, {
    wanted: ON_POSTGRES.filter(wanted),
    inBudget,
    skipped,
    launchProxy: (name, on) => launchProxy(name, { on }),
    note,
  });
  if (postgres) {
    await step(
      'cache-miss',
      `cache miss over ${ctx.options.cacheMissKeys} new keys (postgres)`,
      async () => void raw.cacheMiss.push(await runCacheMiss(ctx, postgres)),
      'postgres',
    );
  }
  await step(
    'revocation',
    `revocation × ${ctx.options.revocationTrials} (sqlite)`,
    async () => void raw.revocation.push(await runRevocation(ctx, sqlite)),
    'sqlite',
  );
  if (postgres) {
    await step(
      'revocation',
      `revocation × ${ctx.options.revocationTrials} (postgres, 2 replicas)`,
      async () => void raw.revocation.push(await runRevocation(ctx, postgres)),
      'postgres',
    );
    await postgres.stop();
  }
  await step('rss', `RSS with ${ctx.options.rssKeys} cached keys`, async () => {
    raw.rss = await runRss(ctx, makeKeys, (env) => launchProxy('proxy-rss', { env }));
  });
  return raw;
}
