import { startRedis, type StartedRedis } from '@routemcp/testing';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenLocal, startEchoUpstream } from '../testing/echo-upstream.ts';
import { runForwardingContract } from '../testing/forwarding-contract.ts';
import { connectFloorBucket, FLOOR_BUCKET } from './floor-bucket.ts';
import { createNodeFloor } from './node-floor.ts';

let redis: StartedRedis;
beforeAll(async () => void (redis = await startRedis()));
afterAll(async () => redis?.[Symbol.asyncDispose]());

async function startFloorWithBucket(upstreamUrl: string) {
  const bucket = await connectFloorBucket(redis.url);
  const floor = createNodeFloor({ upstreamUrl, admit: bucket.take });
  const url = await listenLocal(floor.server);
  return {
    url,
    headers: {},
    async [Symbol.asyncDispose]() {
      floor.server.close();
      await floor.close();
      await bucket.close();
    },
  };
}

describe('Node floor + one EVALSHA per request', () => {
  runForwardingContract(startFloorWithBucket);

  it('sends one EVALSHA per request, counted by Redis itself', async () => {
    await using upstream = await startEchoUpstream();
    await using floor = await startFloorWithBucket(upstream.url);
    const admin = createClient({ url: redis.url });
    await admin.connect();
    const evalshaCalls = async () =>
      Number(/^cmdstat_evalsha:calls=(\d+)/m.exec(await admin.info('commandstats'))?.[1] ?? 0);
    try {
      // The first take may load the script (NOSCRIPT, then EVAL); count from the second.
      await (await fetch(`${floor.url}/x`)).arrayBuffer();
      const before = await evalshaCalls();
      for (let i = 0; i < 5; i++) await (await fetch(`${floor.url}/x`)).arrayBuffer();
      expect((await evalshaCalls()) - before).toBe(5);
      expect(upstream.seen).toHaveLength(6);
    } finally {
      admin.destroy();
    }
  });

  it('answers 429 and skips the upstream when the bucket refuses', async () => {
    await using upstream = await startEchoUpstream();
    const bucket = await connectFloorBucket(redis.url);
    const floor = createNodeFloor({ upstreamUrl: upstream.url, admit: bucket.take });
    const url = await listenLocal(floor.server);
    const admin = createClient({ url: redis.url });
    await admin.connect();
    try {
      // An empty bucket, refilled long after the test.
      await admin.hSet(FLOOR_BUCKET.key, { t: '-1e12', u: String(Date.now() * 1000) });
      const res = await fetch(`${url}/x`);
      expect(res.status).toBe(429);
      expect(upstream.seen).toHaveLength(0);
    } finally {
      await admin.del(FLOOR_BUCKET.key);
      admin.destroy();
      floor.server.close();
      await floor.close();
      await bucket.close();
    }
  });
});
