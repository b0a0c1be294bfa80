import { performance } from 'node:perf_hooks';
import type { BenchContext } from '../context.ts';
import { sleep } from '../context.ts';
import type { KeystoreAdmin } from '../keys/keystore-admin.ts';
import type { KeystoreSetup } from '../keys/keystore-setup.ts';
import type { KeystoreKind, RunningProxy } from '../processes/apps.ts';
import { percentile } from '../stats.ts';

export interface RevocationSummary {
  /** ms from the revoke response until a proxy answered 401. */
  samplesMs: number[];
  /** Proxies still serving the key after the give-up time. */
  timeouts: number;
  p50: number;
  p99: number;
  max: number;
}

export interface RevocationResult extends RevocationSummary {
  keystore: KeystoreKind;
  /** Keystore processes on the database (2 on PostgreSQL: each proxy on its own replica). */
  replicas: number;
  trials: number;
  proxies: number;
  /**
   * The samples of a proxy served by another replica than the one the
   * revoke went through (the event crossed replicas through the database);
   * null with one replica.
   */
  acrossReplicas: RevocationSummary | null;
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

/** Pure: percentiles of the samples, a timeout weighing in as the give-up time (and flagged separately). */
export function summariseRevocations(elapsedMs: readonly number[]): RevocationSummary {
  const samplesMs = elapsedMs.filter((ms) => !Number.isNaN(ms));
  const timeouts = elapsedMs.length - samplesMs.length;
  const weighed = [...samplesMs, ...Array<number>(timeouts).fill(GIVE_UP_MS)];
  return {
    samplesMs,
    timeouts,
    p50: percentile(weighed, 50),
    p99: percentile(weighed, 99),
    max: weighed.length > 0 ? Math.max(...weighed) : Number.NaN,
  };
}

/**
 * Two proxies on the setup's database: its own and a second one, stopped at
 * the end. On PostgreSQL each is served by its own replica, and the revokes
 * alternate between the two replicas' management APIs, so every trial has
 * one proxy that learns of it across replicas.
 */
export async function runRevocation(ctx: BenchContext, setup: KeystoreSetup): Promise<RevocationResult> {
  const second = await setup.launchSecondProxy(`proxy-2-${setup.kind}`);
  try {
    const watched = [
      { proxy: setup.proxy, admin: setup.admin },
      { proxy: second.proxy, admin: second.admin },
    ];
    return await revokeAndWatch(ctx, setup, watched);
  } finally {
    await second.proxy.process.stop();
  }
}

async function revokeAndWatch(
  ctx: BenchContext,
  setup: KeystoreSetup,
  watched: readonly { proxy: RunningProxy; admin: KeystoreAdmin }[],
): Promise<RevocationResult> {
  const all: number[] = [];
  const across: number[] = [];
  const urls = watched.map(({ proxy }) => `${proxy.url}${ctx.path}`);
  for (let trial = 0; trial < ctx.options.revocationTrials; trial++) {
    const through = trial % watched.length;
    const admin = (watched[through] as (typeof watched)[number]).admin;
    const issued = await admin.createKey();
    const authorization = `Bearer ${issued.key}`;
    // Warm both caches: the point is eviction of a cached key, not a miss.
    for (const url of urls) {
      const warm = await status(url, authorization);
      if (warm !== 200) throw new Error(`revocation: warm-up through ${url} answered ${warm} for ${issued.hint}`);
    }
    await admin.revoke(issued.id);
    const since = performance.now();
    const elapsed = await Promise.all(urls.map((url) => until401(url, authorization, since)));
    elapsed.forEach((ms, at) => {
      all.push(ms);
      if (setup.replicas > 1 && at !== through) across.push(ms);
    });
  }
  return {
    keystore: setup.kind,
    replicas: setup.replicas,
    trials: ctx.options.revocationTrials,
    proxies: watched.length,
    ...summariseRevocations(all),
    acrossReplicas: setup.replicas > 1 ? summariseRevocations(across) : null,
  };
}
