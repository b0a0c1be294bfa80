import { createServer } from 'node:http';
import { startRedis, type StartedRedis } from '@routemcp/testing';
import type { RedisReply } from 'rate-limit-redis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenLocal, startEchoUpstream } from '../testing/echo-upstream.ts';
import {
  startFakeKeystore,
  TEST_KEY,
  TEST_RECORD,
  TEST_SERVICE_TOKEN,
  type FakeKeystore,
} from '../testing/fake-keystore.ts';
import { runForwardingContract } from '../testing/forwarding-contract.ts';
import { runGatewayContract } from '../testing/gateway-contract.ts';
import { createNaiveGateway } from './naive-gateway.ts';

let redis: StartedRedis;
let keystore: FakeKeystore;
beforeAll(async () => {
  redis = await startRedis();
  keystore = await startFakeKeystore();
});
afterAll(async () => {
  await keystore?.[Symbol.asyncDispose]();
  await redis?.[Symbol.asyncDispose]();
});

async function startGateway(upstreamUrl: string) {
  const client = createClient({ url: redis.url });
  await client.connect();
  const app = createNaiveGateway({
    upstreamUrl,
    keystoreUrl: keystore.url,
    serviceToken: TEST_SERVICE_TOKEN,
    sendCommand: (args) => client.sendCommand(args) as Promise<RedisReply>,
  });
  const server = createServer(app);
  const url = await listenLocal(server);
  return {
    url,
    headers: { authorization: `Bearer ${TEST_KEY}` },
    client,
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      server.close();
      client.destroy();
    },
  };
}

describe('naive Express gateway', () => {
  runForwardingContract(startGateway);
  runGatewayContract(() => keystore, startGateway);

  it('counts each request in Redis under the key id', async () => {
    await using upstream = await startEchoUpstream();
    await using gateway = await startGateway(upstream.url);
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${gateway.url}/x`, { headers: gateway.headers });
      await res.arrayBuffer();
      expect(res.headers.get('ratelimit-limit')).toBe(String(TEST_RECORD.rateLimit?.capacity));
    }
    expect(Number(await gateway.client.get(`rl:${TEST_RECORD.id}`))).toBeGreaterThanOrEqual(2);
  });
});
