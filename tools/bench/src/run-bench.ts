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

const NEEDS_KEYSTORE: readonly ScenarioId[] = ['c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'm', 'n', 'o', 'p', 'q', 's'];
const NEEDS_PROXY: readonly ScenarioId[] = ['d', 'e', 'f', 'g', 'h', 'i', 'j', 'n', 'o', 'p'];
// (j): more than one worker needs Redis; (l): its EVALSHA; (q, s): the authz's bucket.
const NEEDS_REDIS: readonly ScenarioId[] = ['c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'l', 'm', 'n', 'o', 'p', 'q', 's'];
const NEEDS_NGINX: readonly ScenarioId[] = ['b', 'q', 'r'];
/** The scenarios that also run on a keystore on PostgreSQL. */
const ON_POSTGRES = ['e', 'g'] as const;

/** Which requested scenarios cannot run here, and why (missing app or binary). */
function unavailable(ctx: BenchContext): Record<string, string> {
  const skipped: Record<string, string> = {};
  for (const id of ctx.options.only) {
    if (NEEDS_NGINX.includes(id) && ctx.tools.nginx === null) skipped[id] = 'nginx is not installed';
    else if ((id === 'q' || id === 's') && !appExists('proxy')) skipped[id] = 'apps/proxy/src/main.ts does not exist';
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
  // RATE_LIMIT_LEASES=off: one EVALSHA per request, as the floor + EVALSHA (l) pays (issue 12's comparison).
  const leasesOff = { RATE_LIMIT_LEASES: 'off' };
  const proxyLeasesOff = wanted('o') ? await launchProxy('proxy-leases-off', { env: leasesOff }) : null;
  // LOG_LEVEL=info is the default: one access-log line per request, on stdout, which the process
  // group reads from a pipe as it comes (the way a container runtime drains a container's stdout).
  const proxyInfo = wanted('n') ? await launchProxy('proxy-info', { env: { LOG_LEVEL: 'info' } }) : null;
  const proxyInfoLeasesOff = wanted('p')
    ? await launchProxy('proxy-info-leases-off', { env: { LOG_LEVEL: 'info', ...leasesOff } })
    : null;
  const accessLogs = { n: stdoutCounter(proxyInfo), p: stdoutCounter(proxyInfoLeasesOff) };
  const workers = wanted('j') ? await launchProxy('proxy-workers', { env: { PROXY_WORKERS: '2' } }) : null;
  const nginx =
    wanted('b') && ctx.tools.nginx
      ? await startNginx(ctx.group, ctx.tools.nginx, ctx.dir, Number(new URL(api.url).port))
      : null;
  const gatewayEnv = keystore &&
    redis && {
      UPSTREAM_URL: api.url,
      KEYSTORE_URL: keystore.url,
      KEYSTORE_SERVICE_TOKEN: keystore.serviceToken,
      REDIS_URL: redis.url,
    };
  const naive = wanted('c') && gatewayEnv ? await startBaseline(ctx.group, 'naive-gateway', 'naive', gatewayEnv) : null;
  const fastify =
    wanted('m') && gatewayEnv ? await startBaseline(ctx.group, 'fastify-gateway', 'fastify', gatewayEnv) : null;
  // (f) measures the floors' added latency beside the proxy's.
  const floor =
    wanted('k') || wanted('f')
      ? await startBaseline(ctx.group, 'node-floor', 'floor', { UPSTREAM_URL: api.url })
      : null;
  const floorEvalsha =
    (wanted('l') || wanted('f')) && redis
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
    a: own(measured('a', api)),
    b: family(nginx),
    c: own(naive),
    d: own(measured('d', proxy)),
    o: own(proxyLeasesOff),
    p: own(proxyInfoLeasesOff),
    // The primary and its workers: the primary's share is its admin port and the round-robin accept.
    j: family(workers),
    k: own(measured('k', floor)),
    l: own(measured('l', floorEvalsha)),
    m: own(fastify),
    n: own(proxyInfo),
    q: forwardAuth.endpoints.q ?? null,
    r: forwardAuth.endpoints.r ?? null,
    s: forwardAuth.endpoints.s ?? null,
    t: forwardAuth.endpoints.t ?? null,
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
    ['n', proxyInfo],
    ['p', proxyInfoLeasesOff],
  ] as const) {
    if (!info) continue;
    // Proof that (n) and (p) paid for their access log: about one line per request answered.
    const seen = accessLogs[id];
    const answered = raw.rounds.filter((r) => r.scenario === id).reduce((sum, r) => sum + r.requests, 0);
    const line = `${id}: ${seen.lines} stdout lines (${(seen.bytes / 1e6).toFixed(1)} MB) from the info proxy, ${answered} requests in its measured rounds (plus warm-up)`;
    raw.notes.push(line);
    ctx.log(line);
  }

  /** `variant`: the keystore back end of (e) and (g), so a skip names the one that did not run. */
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
  await step('f', `added latency at ${ctx.options.fixedRate} req/s`, async () => {
    raw.addedLatency = await runAddedLatency(
      ctx,
      {
        a: api.url,
        d: proxy.url,
        ...(floor ? { k: floor.url } : {}),
        ...(floorEvalsha ? { l: floorEvalsha.url } : {}),
        ...(proxyLeasesOff ? { o: proxyLeasesOff.url } : {}),
      },
      `Bearer ${mainKey.key}`,
    );
  });
  await step('i', `stampede of ${ctx.options.stampedeRequests}`, async () => {
    raw.stampede = await runStampede(ctx, admin, proxy);
  });
  await step(
    'e',
    `cache miss over ${ctx.options.cacheMissKeys} new keys (sqlite)`,
    async () => void raw.cacheMiss.push(await runCacheMiss(ctx, sqlite)),
    'sqlite',
  );
  // PostgreSQL is started only now, right after (e) on SQLite so the two misses run close together, and
  // stopped after its (g), so its two replicas and their pollers idle through no other scenario.
  const postgres = await startPostgresIfWanted(ctx, {
    wanted: ON_POSTGRES.filter(wanted),
    inBudget,
    skipped,
    launchProxy: (name, on) => launchProxy(name, { on }),
    note,
  });
  if (postgres) {
    await step(
      'e',
      `cache miss over ${ctx.options.cacheMissKeys} new keys (postgres)`,
      async () => void raw.cacheMiss.push(await runCacheMiss(ctx, postgres)),
      'postgres',
    );
  }
  await step(
    'g',
    `revocation × ${ctx.options.revocationTrials} (sqlite)`,
    async () => void raw.revocation.push(await runRevocation(ctx, sqlite)),
    'sqlite',
  );
  if (postgres) {
    await step(
      'g',
      `revocation × ${ctx.options.revocationTrials} (postgres, 2 replicas)`,
      async () => void raw.revocation.push(await runRevocation(ctx, postgres)),
      'postgres',
    );
    await postgres.stop();
  }
  await step('h', `RSS with ${ctx.options.rssKeys} cached keys`, async () => {
    raw.rss = await runRss(ctx, makeKeys, (env) => launchProxy('proxy-rss', { env }));
  });
  return raw;
}
