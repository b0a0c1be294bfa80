import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planFaults, runFaults, type FaultTarget } from './faults.ts';
import { startLoad } from './load.ts';
import type { SoakOptions } from './options.ts';
import type { ProcessGroup } from '@routemcp/process-group';
import type { SoakReport } from './report.ts';
import { takeSample, type Sample } from './sampler.ts';
import { hasRedisServer, startStack } from './stack.ts';

const VALID_KEYS = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the stack, runs load, faults and sampling side by side for the whole duration, and stops everything. */
export async function runSoak(
  options: SoakOptions,
  group: ProcessGroup,
  log: (line: string) => void,
): Promise<SoakReport> {
  const dir = await mkdtemp(join(tmpdir(), 'routemcp-soak-'));
  try {
    const redis = !options.noRedis && hasRedisServer();
    if (!options.noRedis && !redis) log('redis-server not found: running without Redis (no Redis faults)');
    const stack = await startStack(group, { dir, redis, keys: VALID_KEYS });
    log(`stack up: proxy ${stack.proxyUrl} (pid ${stack.proxy.pid}), admin ${stack.adminUrl}`);

    const durationS = Math.round(options.minutes * 60);
    const startedAt = new Date().toISOString();
    const started = performance.now();
    const load = startLoad({
      url: stack.proxyUrl,
      rate: options.rate,
      durationS,
      keys: stack.keys,
      invalidPercent: options.invalidPercent,
    });
    const target: FaultTarget = {
      pause: (what) => (what === 'redis' ? stack.redis?.pause() : stack.keystore.pause()),
      resume: (what) => (what === 'redis' ? stack.redis?.resume() : stack.keystore.resume()),
      restart: (what) => (what === 'redis' ? stack.restartRedis() : stack.restartKeystore()),
    };
    const abort = new AbortController();
    const faults = runFaults(planFaults(durationS * 1000, redis), target, started, abort.signal);

    let finished = false;
    void load.done.then(() => (finished = true));
    let proxyDied: string | null = null;
    const samples: Sample[] = [];
    const intervalMs = options.sampleSeconds * 1000;
    const maxSamples = Math.ceil((durationS * 1000) / intervalMs) + 10;
    for (let i = 0; !finished && i < maxSamples; i++) {
      await Promise.race([sleep(intervalMs), load.done]);
      const t = (performance.now() - started) / 1000;
      const sample = await takeSample({
        pid: stack.proxy.pid,
        adminUrl: stack.adminUrl,
        tally: load.take(),
        t,
        intervalS: options.sampleSeconds,
      });
      samples.push(sample);
      log(
        `${sample.t}s rss=${sample.rssMb}MiB fds=${sample.openFds} lag99=${sample.lagP99Ms}ms rps=${sample.rps} unexpected=${sample.unexpected}`,
      );
      if (stack.proxy.exited()) {
        proxyDied = `proxy exited at ${sample.t} s:\n${stack.proxy.output().slice(-2_000)}`;
        load.stop();
        break;
      }
    }
    abort.abort();
    return { options, startedAt, redis, faults: await faults, samples, totals: load.totals, proxyDied };
  } finally {
    await group.stopAll();
    await rm(dir, { recursive: true, force: true });
  }
}
