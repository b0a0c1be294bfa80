import { startRedis, type StartedRedis } from '@routemcp/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream } from '../testing/echo-upstream.ts';
import {
  startFakeKeystore,
  TEST_KEY,
  TEST_RECORD,
  TEST_SERVICE_TOKEN,
  type FakeKeystore,
} from '../testing/fake-keystore.ts';
import { runForwardingContract } from '../testing/forwarding-contract.ts';
import { runGatewayContract } from '../testing/gateway-contract.ts';
import { createFastifyGateway } from './fastify-gateway.ts';

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
  const client = new Redis(redis.url, { connectTimeout: 500, maxRetriesPerRequest: 1 });
  const app = await createFastifyGateway({
    upstreamUrl,
    keystoreUrl: keystore.url,
    serviceToken: TEST_SERVICE_TOKEN,
    redis: client,
  });
  // listen, not app.server.listen: fastify builds its hook chains on ready.
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    headers: { authorization: `Bearer ${TEST_KEY}` },
    client,
    async [Symbol.asyncDispose]() {
      await app.close();
      client.disconnect();
    },
  };
}

describe('fastify gateway', () => {
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
    const count = Number(await gateway.client.get(`fastify-rate-limit-${TEST_RECORD.id}`));
    expect(count).toBeGreaterThanOrEqual(2);
  });
});
