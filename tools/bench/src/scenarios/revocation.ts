import { performance } from 'node:perf_hooks';
import type { BenchContext } from '../context.ts';
import { sleep } from '../context.ts';
import type { KeystoreSetup } from '../keys/keystore-setup.ts';
import type { KeystoreKind } from '../processes/apps.ts';
import { percentile } from '../stats.ts';

export interface RevocationResult {
  keystore: KeystoreKind;
  trials: number;
  proxies: number;
  /** ms from the revoke response until each proxy answered 401; one per proxy per trial. */
  samplesMs: number[];
  /** Proxies still serving the key after the give-up time. */
  timeouts: number;
  p50: number;
  p99: number;
  max: number;
}

const GIVE_UP_MS = 2000;
const POLL_EVERY_MS = 2;

async function status(url: string, authorization: string): Promise<number> {
  const res = await fetch(url, { headers: { authorization }, signal: AbortSignal.timeout(1000) });
  await res.arrayBuffer();
  return res.status;
}

/** Polls until 401; ms since `since`, or NaN after GIVE_UP_MS. Bounded by the clock and a loop cap. */
async function until401(url: string, authorization: string, since: number): Promise<number> {
  for (let attempt = 0; attempt < GIVE_UP_MS; attempt++) {
    if ((await status(url, authorization)) === 401) return performance.now() - since;
    if (performance.now() - since > GIVE_UP_MS) break;
    await sleep(POLL_EVERY_MS);
  }
  return Number.NaN;
}

/** Two proxies on the setup's keystore: its own and a second one, stopped at the end. */
export async function runRevocation(ctx: BenchContext, setup: KeystoreSetup): Promise<RevocationResult> {
  const { admin } = setup;
  const second = await setup.launchProxy(`proxy-2-${setup.kind}`);
  try {
    return await revokeAndWatch(ctx, admin, setup.kind, [setup.proxy, second]);
  } finally {
    await second.process.stop();
  }
}

async function revokeAndWatch(
  ctx: BenchContext,
  admin: KeystoreSetup['admin'],
  kind: KeystoreKind,
  proxies: readonly KeystoreSetup['proxy'][],
): Promise<RevocationResult> {
  const samplesMs: number[] = [];
  let timeouts = 0;
  for (let trial = 0; trial < ctx.options.revocationTrials; trial++) {
    const issued = await admin.createKey();
    const authorization = `Bearer ${issued.key}`;
    const urls = proxies.map((proxy) => `${proxy.url}${ctx.path}`);
    // Warm both caches: the point is eviction of a cached key, not a miss.
    for (const url of urls) {
      const warm = await status(url, authorization);
      if (warm !== 200) throw new Error(`revocation: warm-up through ${url} answered ${warm} for ${issued.hint}`);
    }
    await admin.revoke(issued.id);
    const since = performance.now();
    const elapsed = await Promise.all(urls.map((url) => until401(url, authorization, since)));
    for (const ms of elapsed) {
      if (Number.isNaN(ms)) timeouts++;
      else samplesMs.push(ms);
    }
  }
  // A timeout must weigh in the percentiles: it counts as the give-up time, and is flagged separately.
  const weighed = [...samplesMs, ...Array<number>(timeouts).fill(GIVE_UP_MS)];
  return {
    keystore: kind,
    trials: ctx.options.revocationTrials,
    proxies: proxies.length,
    samplesMs,
    timeouts,
    p50: percentile(weighed, 50),
    p99: percentile(weighed, 99),
    max: Math.max(...weighed),
  };
}
