import type { BenchContext } from '../context.ts';
import { sleep } from '../context.ts';
import type { IssuedKey, KeystoreAdmin } from '../keystore-admin.ts';
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
  non2xx: number;
  /** The proxy's own cache samples from /metrics, as exported (names containing "cache"). */
  cacheMetrics: string[];
}

const MB = 1024 * 1024;

async function pass(ctx: BenchContext, proxy: RunningProxy, keys: readonly IssuedKey[]): Promise<number> {
  let next = 0;
  const run = await runAutocannon({
    url: `${proxy.url}${ctx.path}`,
    connections: ctx.options.connections,
    amount: keys.length,
    nextAuthorization: () => `Bearer ${(keys[next++ % keys.length] as IssuedKey).key}`,
  });
  return run.non2xx + run.errors;
}

/** RSS of a dedicated proxy (cache sized for all keys) before and after caching them all. */
export async function runRss(
  ctx: BenchContext,
  admin: KeystoreAdmin,
  startProxy: (env: Record<string, string>) => Promise<RunningProxy>,
): Promise<RssResult> {
  const count = ctx.options.rssKeys;
  const proxy = await startProxy({
    CACHE_MAX_KEYS: String(count + 1000),
    // Nothing may expire during the run, or RSS would measure a half-empty cache.
    CACHE_TTL_MS: String(3_600_000),
  });
  const one = await admin.createKey();
  await pass(ctx, proxy, Array<IssuedKey>(2000).fill(one));
  await sleep(500);
  const baselineMb = readRssBytes(proxy.process.pid) / MB;
  const started = Date.now();
  const keys: IssuedKey[] = [];
  const chunk = 10_000;
  for (let made = 0; made < count; made += chunk) {
    keys.push(...(await admin.createKeys(Math.min(chunk, count - made), 64)));
    ctx.log(`  created ${keys.length}/${count} keys`);
  }
  const createSeconds = (Date.now() - started) / 1000;
  await sleep(500); // "created" events settle before the keys are looked up
  let non2xx = await pass(ctx, proxy, keys);
  await sleep(500);
  const afterFirstPassMb = readRssBytes(proxy.process.pid) / MB;
  non2xx += await pass(ctx, proxy, keys);
  await sleep(500);
  const afterSecondPassMb = readRssBytes(proxy.process.pid) / MB;
  const cacheMetrics = (await readMetrics(proxy))
    .split('\n')
    .filter((line) => !line.startsWith('#') && /^\w*cache\w*[{ ]/.test(line));
  await proxy.process.stop();
  return { keys: count, createSeconds, baselineMb, afterFirstPassMb, afterSecondPassMb, non2xx, cacheMetrics };
}
