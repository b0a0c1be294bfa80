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
  /** Keys that answered 200 in the first pass, i.e. are in the cache; fewer than `keys` when the pass ran out of time. */
  cachedKeys: number;
  /**
   * (after first pass − baseline) ÷ cachedKeys. An upper bound on what one
   * cached key costs: it also holds heap growth from the traffic itself, which
   * dominates at small counts, so it does not extrapolate.
   */
  bytesPerCachedKey: number;
  createSeconds: number;
  /** After start and a short warm-up with one key. */
  baselineMb: number;
  /** Once every key went through the proxy once (all cached). */
  afterFirstPassMb: number;
  /** After a second pass over up to 10 000 of the keys (cache hits): growth here would be a leak, not the cache. Not in --quick. */
  afterSecondPassMb: number | null;
  /** Status → count over all passes, first attempts and after retrying 503s. */
  statuses: PassStatuses;
  /** The proxy's own cache samples from /metrics, as exported (names containing "cache"). */
  cacheMetrics: string[];
}

const MB = 1024 * 1024;
const SECOND_PASS_KEYS = 10_000;

/**
 * Concurrent requests while caching: enough to keep the proxy busy, few
 * enough that its keystore calls rarely time out. Those that do (503, and
 * then the proxy's keystore breaker opens for a moment) are retried with a
 * growing pause, so the measurement is taken with every key cached.
 */
const PARALLEL = 16;
const RETRIES = 6;

export interface PassStatuses {
  /** What each key's first request got: 503s here are the proxy's keystore timeouts under load. */
  first: Record<string, number>;
  /** After up to RETRIES retries of 503s: anything but 200 is a key that is not cached. */
  final: Record<string, number>;
}

async function status(url: string, key: IssuedKey): Promise<string> {
  try {
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${key.key}` },
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return String(res.status);
  } catch {
    return 'error';
  }
}

/** One request per key, 503s retried, so afterwards every key is cached (or counted as not). */
async function pass(
  ctx: BenchContext,
  proxy: RunningProxy,
  keys: readonly IssuedKey[],
  statuses: PassStatuses,
  deadline: number,
): Promise<void> {
  const url = `${proxy.url}${ctx.path}`;
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < keys.length && Date.now() < deadline) {
      const key = keys[next++] as IssuedKey;
      let result = await status(url, key);
      statuses.first[result] = (statuses.first[result] ?? 0) + 1;
      for (let retry = 0; retry < RETRIES && result === '503'; retry++) {
        await sleep(100 * (retry + 1));
        result = await status(url, key);
      }
      statuses.final[result] = (statuses.final[result] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, keys.length) }, worker));
  const seconds = (Date.now() - started) / 1000;
  ctx.log(`  pass over ${next} of ${keys.length} keys: ${(next / seconds).toFixed(0)} keys/s`);
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
  await runAutocannon({
    url: `${proxy.url}${ctx.path}`,
    connections: ctx.options.connections,
    amount: ctx.options.quick ? 500 : 2000,
    headers: { authorization: `Bearer ${(one as IssuedKey).key}` },
  });
  await sleep(500);
  const baselineMb = readRssBytes(proxy.process.pid) / MB;
  ctx.log(`  baseline RSS ${baselineMb.toFixed(1)} MB`);
  const started = Date.now();
  const keys = await makeKeys(count);
  const createSeconds = (Date.now() - started) / 1000;
  await sleep(500); // "created" events settle before the keys are looked up
  const statuses: PassStatuses = { first: {}, final: {} };
  // Bounded: on a busy machine the miss path can be slow; the per-key cost still extrapolates.
  await pass(ctx, proxy, keys, statuses, Date.now() + (ctx.options.quick ? 20_000 : 200_000));
  const cachedKeys = statuses.final['200'] ?? 0;
  await sleep(500);
  const afterFirstPassMb = readRssBytes(proxy.process.pid) / MB;
  ctx.log(
    `  ${count} keys made in ${createSeconds.toFixed(1)} s; RSS after caching them ${afterFirstPassMb.toFixed(1)} MB`,
  );
  let afterSecondPassMb: number | null = null;
  if (!ctx.options.quick) {
    // A sample is enough: growth on re-hitting cached keys would be a leak, whatever the count.
    await pass(ctx, proxy, keys.slice(0, Math.min(SECOND_PASS_KEYS, cachedKeys)), statuses, Date.now() + 30_000);
    await sleep(500);
    afterSecondPassMb = readRssBytes(proxy.process.pid) / MB;
    ctx.log(`  RSS after a second pass ${afterSecondPassMb.toFixed(1)} MB`);
  }
  const cacheMetrics = (await readMetrics(proxy))
    .split('\n')
    .filter((line) => !line.startsWith('#') && /^\w*cache\w*[{ ]/.test(line));
  await proxy.process.stop();
  return {
    keys: count,
    cachedKeys,
    bytesPerCachedKey: cachedKeys > 0 ? ((afterFirstPassMb - baselineMb) * MB) / cachedKeys : Number.NaN,
    createSeconds,
    baselineMb,
    afterFirstPassMb,
    afterSecondPassMb,
    statuses,
    cacheMetrics,
  };
}
