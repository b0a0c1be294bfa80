import { createServer, type Socket } from 'node:net';
import { makeTestKey } from '@routemcp/api-key/testing';
import { describe, expect, it } from 'vitest';
import { FailoverKeystoreClient } from './failover-keystore-client.ts';
import { HttpKeystoreClient } from './http-keystore-client.ts';
import { KeystoreReplicas } from './keystore-replicas.ts';
import { FakeKeystore, type FakeKeyData } from '../testing/fake-keystore.ts';
import { ManualClock } from '../testing/manual-clock.ts';

const data: FakeKeyData = {
  id: 'key_1',
  accountId: 'acct_1',
  environment: 'live',
  status: 'active',
  expiresAt: null,
  rateLimit: null,
};

/**
 * The timeout of a replica that answers (or refuses at once): never the thing under test, so far above what a
 * local exchange takes on a loaded machine. Only a replica that never answers gets a short one, since only its
 * timeout can end its call.
 */
const ANSWERS_WITHIN_MS = 5_000;
const NEVER_ANSWERS_MS = 100;

/** A failover client over `urls`; `hanging` are the indexes of replicas that never answer. */
function client(urls: string[], { token = 'test-service-token', hanging = [] as number[] } = {}) {
  const attempts: string[] = [];
  const replicas = new KeystoreReplicas({ urls, clock: new ManualClock(), failureThreshold: 2, coolDownMs: 60_000 });
  const timeoutMs = (index: number) => (hanging.includes(index) ? NEVER_ANSWERS_MS : ANSWERS_WITHIN_MS);
  const failover = new FailoverKeystoreClient({
    replicas,
    clients: urls.map(
      (url, index) => new HttpKeystoreClient({ keystoreUrl: url, serviceToken: token, timeoutMs: timeoutMs(index) }),
    ),
    onAttempt: (index, outcome) => attempts.push(`${index} ${outcome}`),
  });
  return { failover, attempts, replicas };
}

async function replicasWith(hash: string, count = 2): Promise<FakeKeystore[]> {
  const fakes = await Promise.all(Array.from({ length: count }, () => new FakeKeystore().listen()));
  for (const fake of fakes) fake.records.set(hash, data);
  return fakes;
}

/** A port that accepts connections and resets each one at once (a replica dying under us). */
async function resettingPort(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((socket: Socket) => socket.resetAndDestroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('FailoverKeystoreClient', () => {
  it.each(['error-500', 'hang', 'bad-json'] as const)(
    'answers from the next replica when the first is %s',
    async (mode) => {
      const { hash } = makeTestKey('live');
      const [a, b] = await replicasWith(hash);
      a!.mode = mode;
      const { failover, attempts } = client([a!.url, b!.url], { hanging: mode === 'hang' ? [0] : [] });
      expect(await failover.lookup(hash)).toMatchObject({ kind: 'found', record: { id: 'key_1' } });
      expect(attempts).toEqual(['0 failed', '1 answered']);
      expect([a!.totalLookups, b!.totalLookups]).toEqual([1, 1]);
      await failover.close();
      await Promise.all([a!, b!].map((fake) => fake[Symbol.asyncDispose]()));
    },
  );

  it('answers from the next replica when the first refuses connections or resets them', async () => {
    const { hash } = makeTestKey('live');
    const [b] = await replicasWith(hash, 1);
    const resetting = await resettingPort();
    const { failover, attempts } = client([await refusedUrl(), resetting.url, b!.url]);
    expect(await failover.lookup(hash)).toMatchObject({ kind: 'found' });
    expect(attempts).toEqual(['0 failed', '1 failed', '2 answered']);
    // Sticks to the replica that answered: the dead ones are not tried again while it does.
    expect(await failover.lookup(hash)).toMatchObject({ kind: 'found' });
    expect(attempts.slice(3)).toEqual(['2 answered']);
    await failover.close();
    await resetting.close();
    await b![Symbol.asyncDispose]();
  });

  it('passes a not-found on as an answer (no failover: the replicas share one database)', async () => {
    const [a, b] = await replicasWith(makeTestKey().hash);
    const { failover, attempts } = client([a!.url, b!.url]);
    expect(await failover.lookup(makeTestKey().hash)).toEqual({ kind: 'not-found' });
    expect(attempts).toEqual(['0 answered']);
    await failover.close();
    await Promise.all([a!, b!].map((fake) => fake[Symbol.asyncDispose]()));
  });

  it('does not fail over on a wrong service token: every replica would refuse it the same', async () => {
    const { hash } = makeTestKey();
    const [a, b] = await replicasWith(hash);
    const { failover, attempts } = client([a!.url, b!.url], { token: 'wrong token' });
    expect(await failover.lookup(hash)).toEqual({ kind: 'error', error: 'rejected' });
    expect(attempts).toEqual(['0 answered']);
    expect(b!.totalLookups).toBe(0);
    await failover.close();
    await Promise.all([a!, b!].map((fake) => fake[Symbol.asyncDispose]()));
  });

  it('answers the last failure when every replica fails, then circuit_open without a call once every breaker is open', async () => {
    const { hash } = makeTestKey();
    const [a, b] = await replicasWith(hash);
    a!.mode = 'error-500';
    b!.mode = 'error-500';
    const { failover, attempts } = client([a!.url, b!.url]);
    expect(await failover.lookup(hash)).toEqual({ kind: 'error', error: 'server_error' });
    expect(await failover.lookup(hash)).toEqual({ kind: 'error', error: 'server_error' });
    expect(await failover.lookup(hash)).toEqual({ kind: 'error', error: 'circuit_open' });
    expect(attempts).toEqual(['0 failed', '1 failed', '0 failed', '1 failed']);
    expect([a!.totalLookups, b!.totalLookups]).toEqual([2, 2]);
    await failover.close();
    await Promise.all([a!, b!].map((fake) => fake[Symbol.asyncDispose]()));
  });
});
