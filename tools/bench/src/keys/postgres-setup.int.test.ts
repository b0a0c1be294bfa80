import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { generate } from '@routemcp/api-key';
import { ProcessGroup } from '@routemcp/process-group';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH_PATH, type BenchContext } from '../context.ts';
import { parseOptions, type BenchOptions } from '../options.ts';
import { startProxy, type RunningKeystore } from '../processes/apps.ts';
import { startEchoUpstream, type EchoUpstream } from '../testing/echo-upstream.ts';
import { findTools } from '../workspace.ts';
import type { KeystoreSetup } from './keystore-setup.ts';
import { postgresAvailable, startPostgresSetup } from './postgres-setup.ts';

const group = new ProcessGroup();
const scratch: string[] = [];
const ctx: BenchContext = {
  options: parseOptions(['--quick'], new Date()) as BenchOptions,
  group,
  dir: '/nonexistent',
  removeAtEnd: (path) => void scratch.push(path),
  log: () => undefined,
  tools: findTools(),
  clockTicksPerSecond: 100,
  path: BENCH_PATH,
};
let upstream: EchoUpstream;
let setup: KeystoreSetup;

/** The effective uid of a running process, from /proc. */
const uidOf = (pid: number) => Number(/^Uid:\s+\d+\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

beforeAll(async () => {
  const available = postgresAvailable(ctx);
  if (typeof available === 'string') throw new Error(`the bench's PostgreSQL cannot run here: ${available}`);
  upstream = await startEchoUpstream();
  setup = await startPostgresSetup(ctx, {
    ...available,
    // No Redis: the proxy's in-memory buckets, which is all a lookup test needs.
    launchProxy: (name: string, on: RunningKeystore) =>
      startProxy(group, { name, upstreamUrl: upstream.url, keystore: on }),
    note: (line) => {
      throw new Error(`unexpected fallback: ${line}`);
    },
  });
});

afterAll(async () => {
  await group.stopAll();
  await upstream?.[Symbol.asyncDispose]();
  for (const path of scratch) rmSync(path, { recursive: true, force: true });
});

const get = async (url: string, key: string) => {
  const res = await fetch(`${url}${BENCH_PATH}`, { headers: { authorization: `Bearer ${key}` } });
  await res.arrayBuffer();
  return res.status;
};

describe('the bench on PostgreSQL (no Docker)', () => {
  it('runs the server from its own temp dir, as the postgres user when the bench is root', () => {
    const [dir] = scratch;
    expect(dir).toMatch(/routemcp-bench-pg-/);
    expect(existsSync(`${dir}/data/PG_VERSION`)).toBe(true);
    const postmasterPid = Number(readFileSync(`${dir}/data/postmaster.pid`, 'utf8').split('\n')[0]);
    const root = process.getuid?.() === 0;
    const expected = root ? Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })) : process.getuid?.();
    expect(uidOf(postmasterPid)).toBe(expected);
    expect(setup.replicas).toBe(2);
  });

  it("seeds keys through the keystore's own schema: both replicas find them, the proxy forwards them", async () => {
    const keys = await setup.makeKeys(5);
    expect(keys).toHaveLength(5);
    const second = await setup.launchSecondProxy('proxy-pg-second');
    for (const { key } of keys) {
      expect(await get(setup.proxy.url, key)).toBe(200);
      expect(await get(second.proxy.url, key)).toBe(200);
    }
    expect(await get(setup.proxy.url, generate('live'))).toBe(401);
  });

  it('carries a revocation made on one replica to the proxy served by the other', async () => {
    const second = await setup.launchSecondProxy('proxy-pg-third');
    const issued = await setup.admin.createKey();
    expect(await get(second.proxy.url, issued.key)).toBe(200);
    await setup.admin.revoke(issued.id);
    const deadline = Date.now() + 5000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      status = await get(second.proxy.url, issued.key);
      await new Promise((done) => setTimeout(done, 20));
    }
    expect(status).toBe(401);
    expect(second.admin).not.toBe(setup.admin);
  });

  it('stops every process it started, the postmaster by its own PID', async () => {
    const [dir] = scratch;
    const postmasterPid = Number(readFileSync(`${dir}/data/postmaster.pid`, 'utf8').split('\n')[0]);
    await setup.stop();
    expect(existsSync(`/proc/${postmasterPid}`)).toBe(false);
    expect(setup.keystore.process.exited()).toBe(true);
    expect(setup.proxy.process.exited()).toBe(true);
  });
});
