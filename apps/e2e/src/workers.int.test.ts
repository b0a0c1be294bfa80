import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { startRedis, type StartedRedis } from '@routemcp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleSum, scrape } from './admin-metrics.ts';
import { startApp, type AppProcess } from './app-process.ts';
import { freePort } from '@routemcp/testing/free-port';
import { startHttpFixture, type HttpFixture } from './http-fixture.ts';
import { issueKey, ROOMY, type IssuedKey } from './issue-key.ts';
import { expectNoKeyLeaked } from './leaks.ts';
import { rawRequest } from './raw-request.ts';
import { startStack, type Stack } from './stack.ts';
import { sleep, until } from './traffic.ts';

const PATH = '/api/v1/contacts?provider=hubspot';

let redis: StartedRedis;
let stack: Stack;
/** Answers every request after 1.5 s. */
let slow: HttpFixture;
let live: IssuedKey;
const issued: string[] = [];

beforeAll(async () => {
  slow = await startHttpFixture((_req, res) => {
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}'), 1500);
  });
  redis = await startRedis();
  stack = await startStack({ redisUrl: redis.url });
  live = await issueKey(stack, issued, { environment: 'live', rateLimit: ROOMY });
});

afterAll(async () => {
  if (stack !== undefined) await expectNoKeyLeaked(stack, issued, []);
  await stack?.[Symbol.asyncDispose]();
  await slow?.[Symbol.asyncDispose]();
  await redis?.[Symbol.asyncDispose]();
});

/** The primary's worker processes, by pid. */
function workerPids(app: AppProcess): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(app.child.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line !== '')
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when there are none
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** JSON log lines whose `msg` is `msg`. */
function logLines(app: AppProcess, msg: string): Record<string, unknown>[] {
  return app
    .output()
    .split('\n')
    .filter((line) => line.includes(`"msg":"${msg}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** One request per new connection, so the cluster spreads them over its workers. */
function burst(url: string, key: string, tag: string, count: number) {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      rawRequest(url, PATH, { authorization: `Bearer ${key}`, 'x-request-id': `${tag}-${i}` }),
    ),
  );
}

describe('PROXY_WORKERS=2', { timeout: 60_000 }, () => {
  it('spreads connections over both workers; one /metrics sums them, one /readyz speaks for both, one Redis bucket serves both', async () => {
    const p = await stack.startProxy({ PROXY_WORKERS: '2' });
    expect(workerPids(p.app)).toHaveLength(2);

    const answers = await burst(p.url, live.key, 'spread', 40);
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));
    const served = await until(
      async () => logLines(p.app, 'request').filter((line) => String(line.reqId).startsWith('spread-')),
      (lines) => lines.length === 40,
    );
    const byWorker = Map.groupBy(served, (line) => line.worker);
    expect([...byWorker.keys()].sort()).toEqual([1, 2]);

    const text = await scrape(p.adminUrl);
    expect(sampleSum(text, 'routemcp_proxy_requests_total', { outcome: 'ok' })).toBe(40);
    expect(sampleSum(text, 'routemcp_proxy_workers')).toBe(2);
    expect(sampleSum(text, 'routemcp_proxy_event_stream_connected')).toBe(1);
    const ready = await fetch(`${p.adminUrl}/readyz`);
    expect(await ready.json()).toMatchObject({
      success: true,
      data: { status: 'ready', keystore: 'reachable', events: 'connected', limiter: 'redis', workers: 2 },
    });

    const small = await issueKey(stack, issued, {
      environment: 'live',
      rateLimit: { capacity: 6, refillPerSecond: 0.001 },
    });
    const limited = await burst(p.url, small.key, 'bucket', 12);
    const statuses = limited.map((a) => a.status).sort();
    expect(statuses).toEqual([...Array(6).fill(200), ...Array(6).fill(429)]);
    await expectNoKeyLeaked(stack, issued, [p.adminUrl]);
    await p.app.stop();
  });

  it('every worker serves AUTHZ_PORT (PROXY_PORT=off: forward auth alone), one Redis bucket behind both', async () => {
    const authzPort = await freePort();
    const p = await stack.startProxy({ PROXY_WORKERS: '2', PROXY_PORT: 'off', AUTHZ_PORT: String(authzPort) });
    const authzUrl = `http://127.0.0.1:${authzPort}`;
    const ask = (key: string, tag: string, count: number) =>
      Promise.all(
        Array.from({ length: count }, (_, i) =>
          rawRequest(authzUrl, `/authz${PATH}`, { authorization: `Bearer ${key}`, 'x-request-id': `${tag}-${i}` }),
        ),
      );
    const answers = await ask(live.key, 'authz', 40);
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));
    const served = await until(
      async () => logLines(p.app, 'request').filter((line) => String(line.reqId).startsWith('authz-')),
      (lines) => lines.length === 40,
    );
    expect([...Map.groupBy(served, (line) => line.worker).keys()].sort()).toEqual([1, 2]);
    expect(served.every((line) => line.keyId === live.id && line.path === '/api/v1/contacts')).toBe(true);

    const small = await issueKey(stack, issued, {
      environment: 'live',
      rateLimit: { capacity: 6, refillPerSecond: 0.001 },
    });
    const statuses = (await ask(small.key, 'authz-bucket', 12)).map((a) => a.status).sort();
    expect(statuses).toEqual([...Array(6).fill(200), ...Array(6).fill(429)]);
    await expectNoKeyLeaked(stack, issued, [p.adminUrl]);
    await p.app.stop();
  });

  it('replaces a worker killed with -9; the admin port says so and requests are answered again', async () => {
    const p = await stack.startProxy({ PROXY_WORKERS: '2' });
    const [victim, survivor] = workerPids(p.app);
    process.kill(victim!, 'SIGKILL');

    const replaced = await until(
      async () => workerPids(p.app),
      (pids) => pids.length === 2 && !pids.includes(victim!),
      { timeoutMs: 15_000, intervalMs: 50 },
    );
    expect(replaced).toContain(survivor);
    const ready = await until(
      () => fetch(`${p.adminUrl}/readyz`).then((res) => res.status),
      (status) => status === 200,
      { timeoutMs: 15_000, intervalMs: 50 },
    );
    expect(ready).toBe(200);
    expect(sampleSum(await scrape(p.adminUrl), 'routemcp_proxy_worker_restarts_total')).toBe(1);
    expect(logLines(p.app, 'worker exited; starting another')).toMatchObject([{ signal: 'SIGKILL', level: 50 }]);

    const answers = await burst(p.url, live.key, 'after-kill', 20);
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    await p.app.stop();
  });

  it('a worker killed with -9 mid-traffic takes none of its counts along: routemcp_proxy_requests_total never goes down', async () => {
    const p = await stack.startProxy({ PROXY_WORKERS: '2' });
    const totals: number[] = [];
    const outcomes = { answered: 0, failed: 0 };
    let failedScrapes = 0;
    let stop = false;
    // New connections (alternating between the workers), each bounded: one the primary hands to the worker
    // being killed is never answered.
    const one = (i: number) =>
      rawRequest(p.url, PATH, { authorization: `Bearer ${live.key}` }, (req) =>
        req.setTimeout(3000, () => req.destroy(new Error(`request ${i} timed out`))),
      ).then(
        () => void outcomes.answered++,
        () => void outcomes.failed++,
      );
    // Four clients of their own, so one waiting out a lost request does not hold up the others.
    const traffic = Promise.all(
      [0, 1, 2, 3].map(async (client) => {
        for (let i = 0; !stop && i < 5_000; i++) await one(i * 4 + client);
      }),
    );
    const scrapes = (async () => {
      for (let i = 0; !stop && i < 3_000; i++) {
        // While the dead worker is not yet replaced a scrape may fail (500): never an under-count.
        const text = await fetch(`${p.adminUrl}/metrics`, { signal: AbortSignal.timeout(5000) })
          .then((res) => (res.ok ? res.text() : undefined))
          .catch(() => undefined);
        if (text === undefined) failedScrapes++;
        else totals.push(sampleSum(text, 'routemcp_proxy_requests_total'));
        await sleep(20);
      }
    })();
    try {
      // Both workers have counted a good share, and it was published.
      await until(
        async () => totals.at(-1) ?? 0,
        (n) => n >= 80,
        { timeoutMs: 20_000 },
      );
      const [victim] = workerPids(p.app);
      const atKill = totals.length;
      process.kill(victim!, 'SIGKILL');
      await until(
        async () => workerPids(p.app),
        (pids) => pids.length === 2 && !pids.includes(victim!),
        { timeoutMs: 15_000, intervalMs: 50 },
      );
      const replaced = totals.length;
      const atKillTotal = totals[atKill - 1]!;
      // Twenty scrapes across the replacement, and traffic counted well past the kill.
      await until(
        async () => [totals.length, totals.at(-1)!] as const,
        ([n, total]) => n >= replaced + 20 && total >= atKillTotal + 40,
        { timeoutMs: 20_000 },
      );
      stop = true;
      await Promise.all([traffic, scrapes]);
      const drops = totals.flatMap((total, i) =>
        i > 0 && total < totals[i - 1]! ? [`${totals[i - 1]} → ${total}`] : [],
      );
      console.info(
        `worker kill: ${totals.length} scrapes (${failedScrapes} failed); requests_total ${totals[atKill - 1]} at the kill, ${totals.at(-1)} at the end; ${outcomes.answered} requests answered, ${outcomes.failed} reset or timed out`,
      );
      expect(drops).toEqual([]);
      expect(totals.length).toBeGreaterThanOrEqual(replaced + 20);
      expect(totals.at(-1)!).toBeGreaterThanOrEqual(atKillTotal + 40);
      expect(sampleSum(await scrape(p.adminUrl), 'routemcp_proxy_worker_restarts_total')).toBe(1);
    } finally {
      stop = true;
      await Promise.all([traffic, scrapes]);
      await p.app.stop();
    }
  });

  it('SIGTERM: every worker finishes its in-flight requests, then the primary exits 0 and leaves no worker behind', async () => {
    const p = await stack.startProxy({ PROXY_WORKERS: '2', UPSTREAM_URL: slow.url, SHUTDOWN_GRACE_MS: '8000' });
    const pids = workerPids(p.app);
    const before = slow.requests.length;
    const inFlight = burst(p.url, live.key, 'drain', 10);
    const arrived = await until(
      async () => slow.requests.length - before,
      (n) => n === 10,
      { timeoutMs: 10_000 },
    );
    expect(arrived).toBe(10);

    p.app.child.kill('SIGTERM');
    const answers = await inFlight;
    expect(answers.map((a) => `${a.status} ${a.body}`)).toEqual(Array(10).fill('200 {"success":true}'));
    expect(await p.app.exited).toEqual({ code: 0, signal: null });
    expect(pids.filter(alive)).toEqual([]);
    const stopped = logLines(p.app, 'stopped');
    expect(stopped.map((line) => line.worker).sort()).toEqual([0, 1, 2]);
    expect(stopped.filter((line) => line.worker !== 0).map((line) => line.result)).toEqual(['drained', 'drained']);
    // Both workers had requests in flight: the slow upstream saw them from both.
    const served = logLines(p.app, 'request').filter((line) => String(line.reqId).startsWith('drain-'));
    expect(new Set(served.map((line) => line.worker)).size).toBe(2);
  });

  it('a worker that stops answering (SIGSTOP) makes /readyz 503 and fails the scrape instead of under-counting', async () => {
    const p = await stack.startProxy({ PROXY_WORKERS: '2' });
    const [frozen] = workerPids(p.app);
    process.kill(frozen!, 'SIGSTOP');
    try {
      const ready = await fetch(`${p.adminUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: 'A worker did not answer' });
      expect((await fetch(`${p.adminUrl}/metrics`)).status).toBe(500);
    } finally {
      process.kill(frozen!, 'SIGCONT');
    }
    expect((await fetch(`${p.adminUrl}/readyz`)).status).toBe(200);
    expect((await fetch(`${p.adminUrl}/metrics`)).status).toBe(200);
    await p.app.stop();
  });

  it('workers do not outlive a primary killed with -9', async () => {
    const p = await stack.startProxy({ PROXY_WORKERS: '2' });
    const pids = workerPids(p.app);
    expect(pids).toHaveLength(2);
    await p.app.kill();
    const left = await until(
      async () => pids.filter(alive),
      (still) => still.length === 0,
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    expect(left).toEqual([]);
  });

  it('a worker that cannot listen stops the whole proxy with a non-zero exit, naming the cause', async () => {
    const taken: Server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const app = startApp('proxy', 'apps/proxy/src/main.ts', {
        PROXY_PORT: String(port),
        PROXY_ADMIN_PORT: String(await freePort()),
        PROXY_HOST: '127.0.0.1',
        PROXY_WORKERS: '2',
        REDIS_URL: redis.url,
        KEYSTORE_URL: stack.keystoreUrl,
        KEYSTORE_SERVICE_TOKEN: stack.serviceToken,
      });
      const timer = setTimeout(() => app.child.kill('SIGKILL'), 20_000);
      const exit = await app.exited;
      clearTimeout(timer);
      expect(exit.code).toBe(1);
      const failures = logLines(app, 'proxy failed to start');
      expect(failures.filter((line) => line.worker !== 0).map((line) => JSON.stringify(line.err))).toEqual(
        expect.arrayContaining([expect.stringContaining('EADDRINUSE')]),
      );
      expect(failures.filter((line) => line.worker === 0)).toMatchObject([
        { err: { message: expect.stringMatching(/^worker \d exited during start-up \(code 1/) } },
      ]);
      expect(workerPids(app)).toEqual([]);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
