import { resolve } from 'node:path';
import { startBaseline } from './baselines/start-baseline.ts';
import type { BenchContext } from './context.ts';
import { KeystoreAdmin } from './keys/keystore-admin.ts';
import type { KeystoreSetup } from './keys/keystore-setup.ts';
import { keyMaker } from './keys/make-keys.ts';
import type { ScenarioId } from './options.ts';
import { processFamily } from './proc.ts';
import {
  appExists,
  startApi,
  startKeystore,
  startProxy,
  type RunningApp,
  type RunningProxy,
} from './processes/apps.ts';
import { startNginx } from './processes/nginx.ts';
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

const NEEDS_KEYSTORE: readonly ScenarioId[] = ['c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'm', 'n'];
const NEEDS_PROXY: readonly ScenarioId[] = ['d', 'e', 'f', 'g', 'h', 'i', 'j', 'n'];
// (j): more than one worker needs Redis; (l): its EVALSHA.
const NEEDS_REDIS: readonly ScenarioId[] = ['c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'l', 'm', 'n'];

/** Which requested scenarios cannot run here, and why (missing app or binary). */
function unavailable(ctx: BenchContext): Record<string, string> {
  const skipped: Record<string, string> = {};
  for (const id of ctx.options.only) {
    if (id === 'b' && ctx.tools.nginx === null) skipped[id] = 'nginx is not installed';
    else if (NEEDS_KEYSTORE.includes(id) && !appExists('keystore'))
      skipped[id] = 'apps/keystore/src/main.ts does not exist';
    else if (NEEDS_PROXY.includes(id) && !appExists('proxy')) skipped[id] = 'apps/proxy/src/main.ts does not exist';
    else if (NEEDS_REDIS.includes(id) && ctx.tools.redis === null) skipped[id] = 'redis-server is not installed';
  }
  return skipped;
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
  const keystore = needs(NEEDS_KEYSTORE) ? await startKeystore(ctx.group, ctx.dir) : null;
  const admin = keystore ? new KeystoreAdmin({ url: keystore.url, adminToken: keystore.adminToken }) : null;
  const launchProxy = (name: string, env: Record<string, string> = {}, extra?: string): Promise<RunningProxy> => {
    if (!keystore) throw new Error(`${name}: no keystore was started`);
    const nodeOptions = [ctx.options.proxyNodeOptions, extra].filter(Boolean).join(' ');
    return startProxy(ctx.group, {
      name,
      upstreamUrl: api.url,
      keystore,
      ...(redis ? { redisUrl: redis.url } : {}),
      env,
      ...(nodeOptions ? { nodeOptions } : {}),
    });
  };
  const profile = ctx.options.cpuProfileDir
    ? `--cpu-prof --cpu-prof-dir=${resolve(ctx.options.cpuProfileDir)}`
    : undefined;
  const proxy = needs(NEEDS_PROXY) ? await launchProxy('proxy', {}, profile) : null;
  // LOG_LEVEL=info is the default: one access-log line per request, on stdout, which the process
  // group reads from a pipe as it comes (the way a container runtime drains a container's stdout).
  const proxyInfo = wanted('n') ? await launchProxy('proxy-info', { LOG_LEVEL: 'info' }) : null;
  const accessLog = { lines: 0, bytes: 0 };
  proxyInfo?.process.child.stdout?.on('data', (chunk: Buffer) => {
    accessLog.bytes += chunk.length;
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) accessLog.lines++;
  });
  const workers = wanted('j') ? await launchProxy('proxy-workers', { PROXY_WORKERS: '2' }) : null;
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

  const own = (app: RunningApp | null) => app && { app, pids: () => [app.process.pid] };
  const family = (app: RunningApp | null) => app && { app, pids: () => processFamily(app.process.pid) };
  const measured = (id: ScenarioId, app: RunningApp | null) => (wanted(id) ? app : null);
  const endpoints: Record<ThroughputId, { app: RunningApp; pids: () => number[] } | null> = {
    a: own(measured('a', api)),
    b: family(nginx),
    c: own(naive),
    d: own(measured('d', proxy)),
    // The primary and its workers: the primary's share is its admin port and the round-robin accept.
    j: family(workers),
    k: own(measured('k', floor)),
    l: own(measured('l', floorEvalsha)),
    m: own(fastify),
    n: own(proxyInfo),
  };
  const targets: ThroughputTarget[] = [];
  for (const id of THROUGHPUT_ORDER) {
    const endpoint = endpoints[id];
    if (endpoint) targets.push({ id, url: endpoint.app.url, headers, pids: endpoint.pids });
  }
  if (targets.length > 0) {
    ctx.log(
      `throughput: ${targets.map((t) => t.id).join(',')} × ${ctx.options.rounds} rounds of ${ctx.options.durationSeconds}s`,
    );
    raw.rounds = await runThroughputRounds(ctx, targets, inBudget);
  }
  if (proxyInfo) {
    // Proof that (n) paid for its access log: about one line per request it answered.
    const answered = raw.rounds.filter((r) => r.scenario === 'n').reduce((sum, r) => sum + r.requests, 0);
    const line = `n: ${accessLog.lines} stdout lines (${(accessLog.bytes / 1e6).toFixed(1)} MB) from the info proxy, ${answered} requests in its measured rounds (plus warm-up)`;
    raw.notes.push(line);
    ctx.log(line);
  }

  const step = async (id: ScenarioId, title: string, run: () => Promise<void>) => {
    if (!wanted(id)) return;
    if (!inBudget()) {
      skipped[id] = 'time budget used up';
      return;
    }
    ctx.log(`${id}: ${title}`);
    await run();
  };
  if (!(proxy && keystore && admin && mainKey)) return raw;
  const makeKeys = keyMaker({ dbPath: keystore.dbPath, admin, note: (line) => (raw.notes.push(line), ctx.log(line)) });
  // One setup per keystore back end; (e) and (g) run for each.
  const setups: KeystoreSetup[] = [{ kind: keystore.kind, keystore, admin, makeKeys, proxy, launchProxy }];
  await step('f', `added latency at ${ctx.options.fixedRate} req/s`, async () => {
    raw.addedLatency = await runAddedLatency(
      ctx,
      {
        a: api.url,
        d: proxy.url,
        ...(floor ? { k: floor.url } : {}),
        ...(floorEvalsha ? { l: floorEvalsha.url } : {}),
      },
      `Bearer ${mainKey.key}`,
    );
  });
  for (const setup of setups) {
    await step('e', `cache miss over ${ctx.options.cacheMissKeys} new keys (${setup.kind})`, async () => {
      raw.cacheMiss.push(await runCacheMiss(ctx, setup));
    });
  }
  await step('i', `stampede of ${ctx.options.stampedeRequests}`, async () => {
    raw.stampede = await runStampede(ctx, admin, proxy);
  });
  for (const setup of setups) {
    await step('g', `revocation × ${ctx.options.revocationTrials} (${setup.kind})`, async () => {
      raw.revocation.push(await runRevocation(ctx, setup));
    });
  }
  await step('h', `RSS with ${ctx.options.rssKeys} cached keys`, async () => {
    raw.rss = await runRss(ctx, makeKeys, (env) => launchProxy('proxy-rss', env));
  });
  return raw;
}
