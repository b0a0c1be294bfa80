import type { BenchContext } from '../context.ts';
import { sleep } from '../context.ts';
import type { IssuedKey } from '../keys/keystore-admin.ts';
import type { MakeKeys } from '../keys/make-keys.ts';
import { runAutocannon } from '../load/autocannon-run.ts';
import { readRssBytes } from '../proc.ts';
import type { RunningProxy } from '../processes/apps.ts';
import { readMetrics } from './metrics.ts';

export interface RssResult {
  keys: number;
  createSeconds: number;
  /** After start and a short warm-up with one key. */
  baselineMb: number;
  /** Once every key went through the proxy once (all cached). */
  afterFirstPassMb: number;
  /** After a second pass over up to 20 000 of the keys (cache hits): growth here would be a leak, not the cache. Not in --quick. */
  afterSecondPassMb: number | null;
  /** Status → count over both passes (anything but 200 means a key may not be cached). */
  statuses: Record<string, number>;
  /** The proxy's own cache samples from /metrics, as exported (names containing "cache"). */
  cacheMetrics: string[];
}

const MB = 1024 * 1024;
const SECOND_PASS_KEYS = 20_000;

async function pass(
  ctx: BenchContext,
  proxy: RunningProxy,
  keys: readonly IssuedKey[],
  statuses: Record<string, number>,
): Promise<void> {
  let next = 0;
  const run = await runAutocannon({
    url: `${proxy.url}${ctx.path}`,
    connections: ctx.options.connections,
    amount: keys.length,
    nextAuthorization: () => `Bearer ${(keys[next++ % keys.length] as IssuedKey).key}`,
  });
  ctx.log(
    `  pass of ${keys.length}: ${run.requestsPerSecond.toFixed(0)} req/s, p50 ${run.latencyMs.p50.toFixed(2)} ms`,
  );
  for (const [status, count] of Object.entries(run.statuses)) statuses[status] = (statuses[status] ?? 0) + count;
  if (run.errors > 0) statuses.error = (statuses.error ?? 0) + run.errors;
}

/** RSS of a dedicated proxy (cache sized for all keys) before and after caching them all. */
export async function runRss(
  ctx: BenchContext,
  makeKeys: MakeKeys,
  startProxy: (env: Record<string, string>) => Promise<RunningProxy>,
): Promise<RssResult> {
  const count = ctx.options.rssKeys;
  const proxy = await startProxy({
    CACHE_MAX_KEYS: String(count + 1000),
    // Nothing may expire during the run, or RSS would measure a half-empty cache.
    CACHE_TTL_MS: String(3_600_000),
  });
  const [one] = await makeKeys(1);
  const warmup: Record<string, number> = {};
  await pass(ctx, proxy, Array<IssuedKey>(ctx.options.quick ? 500 : 2000).fill(one as IssuedKey), warmup);
  await sleep(500);
  const baselineMb = readRssBytes(proxy.process.pid) / MB;
  ctx.log(`  baseline RSS ${baselineMb.toFixed(1)} MB`);
  const started = Date.now();
  const keys = await makeKeys(count);
  const createSeconds = (Date.now() - started) / 1000;
  await sleep(500); // "created" events settle before the keys are looked up
  const statuses: Record<string, number> = {};
  await pass(ctx, proxy, keys, statuses);
  await sleep(500);
  const afterFirstPassMb = readRssBytes(proxy.process.pid) / MB;
  ctx.log(
    `  ${count} keys made in ${createSeconds.toFixed(1)} s; RSS after caching them ${afterFirstPassMb.toFixed(1)} MB`,
  );
  let afterSecondPassMb: number | null = null;
  if (!ctx.options.quick) {
    // A sample is enough: growth on re-hitting cached keys would be a leak, whatever the count.
    await pass(ctx, proxy, keys.slice(0, SECOND_PASS_KEYS), statuses);
    await sleep(500);
    afterSecondPassMb = readRssBytes(proxy.process.pid) / MB;
    ctx.log(`  RSS after a second pass ${afterSecondPassMb.toFixed(1)} MB`);
  }
  const cacheMetrics = (await readMetrics(proxy))
    .split('\n')
    .filter((line) => !line.startsWith('#') && /^\w*cache\w*[{ ]/.test(line));
  await proxy.process.stop();
  return { keys: count, createSeconds, baselineMb, afterFirstPassMb, afterSecondPassMb, statuses, cacheMetrics };
}
