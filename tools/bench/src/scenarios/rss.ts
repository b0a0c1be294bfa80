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
  /** After a second pass over all keys (cache hits): growth here would be a leak, not the cache. */
  afterSecondPassMb: number;
  /** Status → count over both passes (anything but 200 means a key may not be cached). */
  statuses: Record<string, number>;
  /** The proxy's own cache samples from /metrics, as exported (names containing "cache"). */
  cacheMetrics: string[];
}

const MB = 1024 * 1024;

async function pass(ctx: BenchContext, proxy: RunningProxy, keys: readonly IssuedKey[], statuses: Record<string, number>): Promise<void> {
  let next = 0;
  const run = await runAutocannon({
    url: `${proxy.url}${ctx.path}`,
    connections: ctx.options.connections,
    amount: keys.length,
    nextAuthorization: () => `Bearer ${(keys[next++ % keys.length] as IssuedKey).key}`,
  });
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
  await pass(ctx, proxy, Array<IssuedKey>(2000).fill(one as IssuedKey), warmup);
  await sleep(500);
  const baselineMb = readRssBytes(proxy.process.pid) / MB;
  const started = Date.now();
  const keys = await makeKeys(count);
  const createSeconds = (Date.now() - started) / 1000;
  await sleep(500); // "created" events settle before the keys are looked up
  const statuses: Record<string, number> = {};
  await pass(ctx, proxy, keys, statuses);
  await sleep(500);
  const afterFirstPassMb = readRssBytes(proxy.process.pid) / MB;
  await pass(ctx, proxy, keys, statuses);
  await sleep(500);
  const afterSecondPassMb = readRssBytes(proxy.process.pid) / MB;
  const cacheMetrics = (await readMetrics(proxy))
    .split('\n')
    .filter((line) => !line.startsWith('#') && /^\w*cache\w*[{ ]/.test(line));
  await proxy.process.stop();
  return { keys: count, createSeconds, baselineMb, afterFirstPassMb, afterSecondPassMb, statuses, cacheMetrics };
}
