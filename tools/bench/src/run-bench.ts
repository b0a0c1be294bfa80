import { resolve } from 'node:path';
import { startNaiveGateway } from './baselines/start-naive-gateway.ts';
import type { BenchContext } from './context.ts';
import { KeystoreAdmin } from './keys/keystore-admin.ts';
import { keyMaker } from './keys/make-keys.ts';
import type { ScenarioId } from './options.ts';
import { processFamily } from './proc.ts';
import {
  appExists,
  startApi,
  startKeystore,
  startProxy,
  type RunningKeystore,
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
import { runThroughputRounds, type ThroughputTarget } from './scenarios/throughput.ts';

const NEEDS_KEYSTORE: readonly ScenarioId[] = ['c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
const NEEDS_PROXY: readonly ScenarioId[] = ['d', 'e', 'f', 'g', 'h', 'i', 'j'];
// (j): more than one worker needs Redis.
const NEEDS_REDIS: readonly ScenarioId[] = ['c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];

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
  const raw: RawResults = { rounds: [], notes: [], skipped };
  if (!appExists('api')) throw new Error('apps/api/src/main.ts does not exist: nothing to put behind a proxy');

  ctx.log('starting processes');
  const needs = (ids: readonly ScenarioId[]) => ids.some(wanted);
  const redis = needs(NEEDS_REDIS) && ctx.tools.redis ? await startRedis(ctx.group, ctx.tools.redis, ctx.dir) : null;
  const api = await startApi(ctx.group);
  const keystore: RunningKeystore | null = needs(NEEDS_KEYSTORE) ? await startKeystore(ctx.group, ctx.dir) : null;
  const admin = keystore ? new KeystoreAdmin({ url: keystore.url, adminToken: keystore.adminToken }) : null;
  const launchProxy = (
    name: string,
    env: Record<string, string> = {},
    extraOptions?: string,
  ): Promise<RunningProxy> => {
    const nodeOptions = [ctx.options.proxyNodeOptions, extraOptions].filter(Boolean).join(' ');
    return startProxy(ctx.group, {
      name,
      upstreamUrl: api.url,
      keystore: keystore as RunningKeystore,
      ...(redis ? { redisUrl: redis.url } : {}),
      env,
      ...(nodeOptions ? { nodeOptions } : {}),
    });
  };
  const profile = ctx.options.cpuProfileDir
    ? `--cpu-prof --cpu-prof-dir=${resolve(ctx.options.cpuProfileDir)}`
    : undefined;
  const proxy = needs(NEEDS_PROXY) ? await launchProxy('proxy', {}, profile) : null;
  const workers = wanted('j') ? await launchProxy('proxy-workers', { PROXY_WORKERS: '2' }) : null;
  const nginx =
    wanted('b') && ctx.tools.nginx
      ? await startNginx(ctx.group, ctx.tools.nginx, ctx.dir, Number(new URL(api.url).port))
      : null;
  const naive =
    wanted('c') && keystore && redis
      ? await startNaiveGateway(ctx.group, { upstreamUrl: api.url, keystore, redisUrl: redis.url })
      : null;
  const makeKeys =
    keystore && admin
      ? keyMaker({ dbPath: keystore.dbPath, admin, note: (line) => (raw.notes.push(line), ctx.log(line)) })
      : null;
  const mainKey = admin ? await admin.createKey() : null;
  const headers: Record<string, string> = mainKey ? { authorization: `Bearer ${mainKey.key}` } : {};
  if (mainKey) ctx.log(`bench key ${mainKey.hint} (unlimited bucket)`);

  const targets: ThroughputTarget[] = [];
  if (wanted('a')) targets.push({ id: 'a', url: api.url, headers, pids: () => [api.process.pid] });
  if (nginx) targets.push({ id: 'b', url: nginx.url, headers, pids: () => processFamily(nginx.process.pid) });
  if (naive) targets.push({ id: 'c', url: naive.url, headers, pids: () => [naive.process.pid] });
  if (wanted('d') && proxy) targets.push({ id: 'd', url: proxy.url, headers, pids: () => [proxy.process.pid] });
  // The primary and its workers: the primary's share is its admin port and the round-robin accept.
  if (workers) targets.push({ id: 'j', url: workers.url, headers, pids: () => processFamily(workers.process.pid) });
  if (targets.length > 0) {
    ctx.log(
      `throughput: ${targets.map((t) => t.id).join(',')} × ${ctx.options.rounds} rounds of ${ctx.options.durationSeconds}s`,
    );
    raw.rounds = await runThroughputRounds(ctx, targets, inBudget);
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
  if (proxy && admin && mainKey && makeKeys) {
    await step('f', `added latency at ${ctx.options.fixedRate} req/s`, async () => {
      raw.addedLatency = await runAddedLatency(ctx, { direct: api.url, proxy: proxy.url }, `Bearer ${mainKey.key}`);
    });
    await step('e', `cache miss over ${ctx.options.cacheMissKeys} new keys`, async () => {
      raw.cacheMiss = await runCacheMiss(ctx, makeKeys, proxy);
    });
    await step('i', `stampede of ${ctx.options.stampedeRequests}`, async () => {
      raw.stampede = await runStampede(ctx, admin, proxy);
    });
    await step('g', `revocation × ${ctx.options.revocationTrials}`, async () => {
      const second = await launchProxy('proxy-2');
      raw.revocation = await runRevocation(ctx, admin, [proxy, second]);
      await second.process.stop();
    });
    await step('h', `RSS with ${ctx.options.rssKeys} cached keys`, async () => {
      raw.rss = await runRss(ctx, makeKeys, (env) => launchProxy('proxy-rss', env));
    });
  }
  return raw;
}
