import { errorBody } from '@routemcp/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleSum, scrape } from './admin-metrics.ts';
import { ROOMY } from './issue-key.ts';
import { startReplicatedStack, type KeystoreReplica, type ReplicatedStack } from './replicated-stack.ts';
import { call, sleep, statusOf, until } from './traffic.ts';

// Dashboard sessions across replicas are covered by apps/keystore's replicas.int.test.ts (a session made on A
// works on B); this suite is about what a proxy in front of several replicas sees.
const PATH = '/api/v1/contacts?provider=hubspot';
const INVALID_KEY_BODY = errorBody('INVALID_API_KEY');

let stack: ReplicatedStack;
const issued: string[] = [];
/** Key changes this suite made (each create and each revoke is one event in the database). */
let changes = 0;

beforeAll(async () => {
  stack = await startReplicatedStack();
});

afterAll(async () => {
  if (stack !== undefined) {
    const texts = [stack.logs(), await scrape(stack.adminUrl)];
    for (const key of issued) for (const text of texts) expect(text.includes(key), 'a full key leaked').toBe(false);
  }
  await stack?.[Symbol.asyncDispose]();
});

async function create(replica: KeystoreReplica): Promise<{ id: string; key: string }> {
  const { status, json } = await replica.manage('POST', '/v1/keys', { environment: 'live', rateLimit: ROOMY });
  if (status !== 201) throw new Error(`POST /v1/keys on ${replica.name} → ${status}`);
  issued.push(json.data.key);
  changes++;
  return json.data;
}

async function revoke(replica: KeystoreReplica, id: string): Promise<void> {
  const { status } = await replica.manage('POST', `/v1/keys/${id}/revoke`);
  expect(status, `revoke on ${replica.name}`).toBe(200);
  changes++;
}

const metric = async (name: string, labels: Record<string, string> = {}) =>
  sampleSum(await scrape(stack.adminUrl), name, labels);

/** Created and revoked events the proxy has applied. */
const applied = async () =>
  (await metric('routemcp_proxy_key_events_total', { type: 'created' })) +
  (await metric('routemcp_proxy_key_events_total', { type: 'revoked' }));

/** Waits until the proxy has applied exactly the events the suite caused: none missed, none twice. */
async function expectEveryEventApplied(): Promise<void> {
  const seen = await until(applied, (n) => n >= changes, { timeoutMs: 10_000, intervalMs: 25 });
  expect(seen).toBe(changes);
}

/** Polls the proxy with `key` and returns the ms from `since` to its first 401; anything but 200 before fails. */
async function msUntilUnauthorized(key: string, since: number, timeoutMs = 10_000): Promise<number> {
  while (performance.now() - since < timeoutMs) {
    const res = await call(stack.proxyUrl, PATH, key);
    const body = await res.text();
    if (res.status === 401) {
      expect(body).toBe(INVALID_KEY_BODY);
      return performance.now() - since;
    }
    expect(res.status, body).toBe(200);
    await sleep(2);
  }
  return Number.POSITIVE_INFINITY;
}

/** Requests with `key` until `stop()`; every status, in order. */
function trafficWith(key: string) {
  const statuses: number[] = [];
  let stopped = false;
  const done = (async () => {
    for (let i = 0; !stopped && i < 20_000; i++) {
      statuses.push(await statusOf(stack.proxyUrl, PATH, key).catch(() => 0));
      await sleep(5);
    }
  })();
  return {
    statuses,
    async stop() {
      stopped = true;
      await done;
      return statuses;
    },
  };
}

describe('a proxy in front of two keystore replicas on one PostgreSQL (KEYSTORE_URL=a,b)', () => {
  it('a key created on replica A works at the proxy', async () => {
    const { key } = await create(stack.a);
    const res = await call(stack.proxyUrl, PATH, key);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { success: boolean }).success).toBe(true);
  });

  it('a key created on A and revoked on B is refused at the proxy within 100 ms', async () => {
    const latencies: number[] = [];
    for (let i = 0; i < 9; i++) {
      const { id, key } = await create(stack.a);
      await expectEveryEventApplied();
      expect(await statusOf(stack.proxyUrl, PATH, key)).toBe(200);
      await revoke(stack.b, id);
      latencies.push(await msUntilUnauthorized(key, performance.now()));
    }
    console.info(`revoked on B, first 401 at the proxy after ${latencies.map((ms) => ms.toFixed(1)).join(', ')} ms`);
    // The 100 ms is the median here: one sample on this shared 2-core box can wait out another suite's burst
    // (246 ms once under npm test); every one must still arrive, well within a second.
    const sorted = [...latencies].sort((x, y) => x - y);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(100);
    for (const ms of latencies) expect(ms).toBeLessThan(1000);
  });

  it('replica A killed (SIGKILL) during traffic: cached keys keep working, new keys are verified through B, the event stream resumes on B with no reset and no missed event', async () => {
    const cached = await create(stack.a);
    const doomed = await create(stack.a);
    await expectEveryEventApplied();
    for (const { key } of [cached, doomed]) expect(await statusOf(stack.proxyUrl, PATH, key)).toBe(200);
    expect(stack.proxyLog('key event stream connected').map((line) => line.replica)).toEqual([0]);
    const answeredByB = await metric('routemcp_proxy_keystore_replica_requests_total', { replica: '1' });

    const traffic = trafficWith(cached.key);
    await until(
      async () => traffic.statuses.length,
      (n) => n >= 20,
    );
    await stack.a.process.kill();
    // Right after A died, before the proxy's stream can have moved: only a replay from B can deliver this.
    await revoke(stack.b, doomed.id);
    const revokedAt = performance.now();
    const fresh = await create(stack.b);
    expect(await statusOf(stack.proxyUrl, PATH, fresh.key)).toBe(200);
    const ms = await msUntilUnauthorized(doomed.key, revokedAt);
    await until(
      async () => traffic.statuses.length,
      (n) => n >= 200,
      { timeoutMs: 10_000 },
    );
    const statuses = await traffic.stop();
    console.info(`A killed: the revoke made on B reached the proxy after ${ms.toFixed(0)} ms`);

    expect(ms).toBeLessThan(2_000);
    expect(statuses.length).toBeGreaterThanOrEqual(200);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(await metric('routemcp_proxy_keystore_replica_requests_total', { replica: '1' })).toBeGreaterThan(
      answeredByB,
    );
    const connections = stack.proxyLog('key event stream connected');
    expect(connections.map((line) => [line.replica, line.resumedFrom === null])).toEqual([
      [0, true],
      [1, false],
    ]);
    expect(await metric('routemcp_proxy_key_events_total', { type: 'reset' })).toBe(0);
    // Only the first hello flushed the cache; the move to B did not.
    expect(stack.proxyLog('key cache flushed')).toHaveLength(1);
    await expectEveryEventApplied();
    expect(await statusOf(stack.proxyUrl, PATH, cached.key)).toBe(200);
  });

  it('PostgreSQL restarted during traffic: the keystores’ readiness degrades then recovers, the proxy keeps serving, no event is lost', async () => {
    await stack.restartA();
    const cached = await create(stack.b);
    const later = await create(stack.a);
    await expectEveryEventApplied();
    for (const { key } of [cached, later]) expect(await statusOf(stack.proxyUrl, PATH, key)).toBe(200);

    const readiness: Record<string, number[]> = { a: [], b: [], proxy: [] };
    let polling = true;
    const probe = async (name: string, url: string) =>
      readiness[name]!.push(
        await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) }).then(
          async (res) => (await res.arrayBuffer(), res.status),
          () => 0,
        ),
      );
    const poller = (async () => {
      for (let i = 0; polling && i < 2_000; i++) {
        await Promise.all([probe('a', stack.a.url), probe('b', stack.b.url), probe('proxy', stack.adminUrl)]);
        await sleep(50);
      }
    })();
    const traffic = trafficWith(cached.key);
    // A revoke committed just before the restart: its wake-up may be lost with the connections.
    const { id: lastId, key: lastKey } = await create(stack.a);
    expect(await statusOf(stack.proxyUrl, PATH, lastKey)).toBe(200);
    await revoke(stack.a, lastId);
    await stack.postgres.restart();
    const recovered = await until(
      async () => readiness,
      (r) => ['a', 'b'].every((name) => r[name]!.includes(503) && r[name]!.at(-1) === 200),
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    // After the recovery, changes on either replica flow again.
    await revoke(stack.b, later.id);
    const revokedAt = performance.now();
    const ms = await msUntilUnauthorized(later.key, revokedAt);
    polling = false;
    await poller;
    const statuses = await traffic.stop();
    console.info(
      `PostgreSQL restart: keystore readiness ${['a', 'b'].map((name) => `${name} ${summarise(recovered[name]!)}`).join(', ')}; proxy ${summarise(recovered.proxy!)}; revoke after recovery reached the proxy in ${ms.toFixed(0)} ms`,
    );

    for (const name of ['a', 'b']) {
      const seen = recovered[name]!;
      expect(seen.indexOf(503), name).toBeGreaterThan(-1);
      expect(seen.lastIndexOf(200), name).toBeGreaterThan(seen.indexOf(503));
    }
    expect(ms).toBeLessThan(2_000);
    expect(await statusOf(stack.proxyUrl, PATH, lastKey)).toBe(401);
    // Cached keys never depended on the database: every request was served, and the proxy stayed ready.
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(recovered.proxy!.filter((status) => status !== 200)).toEqual([]);
    expect(await metric('routemcp_proxy_key_events_total', { type: 'reset' })).toBe(0);
    await expectEveryEventApplied();
  });
});

/** `200×12 503×8 200×30`: runs of equal statuses. */
function summarise(statuses: number[]): string {
  const runs: [number, number][] = [];
  for (const status of statuses) {
    const last = runs.at(-1);
    if (last?.[0] === status) last[1]++;
    else runs.push([status, 1]);
  }
  return runs.map(([status, count]) => `${status}×${count}`).join(' ');
}
