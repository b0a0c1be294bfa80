import type { BenchContext } from '../context.ts';
import { sleep } from '../context.ts';
import type { KeystoreSetup } from '../keys/keystore-setup.ts';
import { runAutocannon } from '../load/autocannon-run.ts';
import { sumMetric } from '../prometheus.ts';
import type { KeystoreKind } from '../processes/apps.ts';
import { KEYSTORE_LOOKUPS_METRIC, readMetrics } from './metrics.ts';

export interface CacheMissResult {
  keystore: KeystoreKind;
  keys: number;
  connections: number;
  miss: { p50: number; p99: number; requestsPerSecond: number; non2xx: number };
  /** The same keys again, now cached, at the same concurrency: the hit path for comparison. */
  hit: { p50: number; p99: number; requestsPerSecond: number; non2xx: number };
  /** Keystore lookups the proxy made during the miss pass (expected: one per key). */
  keystoreLookups: number | null;
  /**
   * Fresh keys on one connection, one request at a time, then again as hits:
   * the miss's own cost without the queueing that 4 closed-loop connections
   * add on a 2-core machine. Reported beside the target, not judged.
   */
  sequential: { keys: number; miss: { p50: number; p99: number }; hit: { p50: number; p99: number } };
}

/** Low concurrency, so the figure is the miss path's own latency rather than queueing behind 50 connections. */
const CONNECTIONS = 4;

export async function runCacheMiss(ctx: BenchContext, setup: KeystoreSetup): Promise<CacheMissResult> {
  const { makeKeys, proxy } = setup;
  const keys = await makeKeys(ctx.options.cacheMissKeys);
  const sequentialKeys = await makeKeys(Math.max(100, Math.round(ctx.options.cacheMissKeys / 4)));
  // Let the keys' "created" events reach the proxy first, so they cannot evict a fresh entry mid-run.
  await sleep(300);
  const pass = async (batch: readonly { key: string }[], connections: number) => {
    let next = 0;
    return runAutocannon({
      url: `${proxy.url}${ctx.path}`,
      connections,
      amount: batch.length,
      nextAuthorization: () => `Bearer ${(batch[next++ % batch.length] as { key: string }).key}`,
    });
  };
  const lookupsBefore = sumMetric(await readMetrics(proxy), KEYSTORE_LOOKUPS_METRIC);
  const miss = await pass(keys, CONNECTIONS);
  const lookups = sumMetric(await readMetrics(proxy), KEYSTORE_LOOKUPS_METRIC) - lookupsBefore;
  const hit = await pass(keys, CONNECTIONS);
  const sequentialMiss = await pass(sequentialKeys, 1);
  const sequentialHit = await pass(sequentialKeys, 1);
  const percentiles = (run: typeof miss) => ({ p50: run.latencyMs.p50, p99: run.latencyMs.p99 });
  const summary = (run: typeof miss) => ({
    p50: run.latencyMs.p50,
    p99: run.latencyMs.p99,
    requestsPerSecond: run.requestsPerSecond,
    non2xx: run.non2xx + run.errors,
  });
  return {
    keystore: setup.kind,
    keys: keys.length,
    connections: CONNECTIONS,
    miss: summary(miss),
    hit: summary(hit),
    keystoreLookups: Number.isFinite(lookups) ? lookups : null,
    sequential: {
      keys: sequentialKeys.length,
      miss: percentiles(sequentialMiss),
      hit: percentiles(sequentialHit),
    },
  };
}
