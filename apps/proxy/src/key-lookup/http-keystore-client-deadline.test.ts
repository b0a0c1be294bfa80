import { EventEmitter } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeTestKey } from '@routemcp/api-key/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HttpKeystoreClient } from './http-keystore-client.ts';
import { until } from '../testing/until.ts';

/** A keystore that holds every lookup until the test answers it (404): only the test decides when an answer comes. */
async function heldKeystore() {
  const changes = new EventEmitter();
  const held: ServerResponse[] = [];
  const server = createServer((_req, res) => {
    held.push(res);
    changes.emit('change');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const answer = (res: ServerResponse) => res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held,
    changes,
    answer,
    async close() {
      for (const res of held) if (!res.writableEnded) answer(res);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0)) await item.close();
});

describe('HttpKeystoreClient: the lookup deadline follows the keystore', () => {
  it('waits the cap until a first answer, then follows the round trips between floor and cap', async () => {
    const keystore = await heldKeystore();
    open.push(keystore);
    const client = new HttpKeystoreClient({
      keystoreUrl: keystore.url,
      serviceToken: 't',
      timeoutMs: 20,
      timeoutMaxMs: 60_000,
    });
    open.push(client);
    // Nothing is known of this keystore yet: a cold lookup on a busy machine is not failed at the floor.
    expect(client.timeoutMs).toBe(60_000);
    const first = client.lookup(makeTestKey().hash);
    await until(keystore.changes, () => keystore.held.length === 1, 'holding the lookup');
    keystore.answer(keystore.held[0]!);
    expect(await first).toEqual({ kind: 'not-found' });
    expect(client.timeoutMs).toBeGreaterThanOrEqual(20);
    expect(client.timeoutMs).toBeLessThan(60_000);
  });

  it('answers timeout at the deadline, and learns from the answer that comes after it (never stuck at the floor)', async () => {
    const keystore = await heldKeystore();
    open.push(keystore);
    // Floor 1 ms: once warmed, the deadline is a few round trips of a local exchange, and the held lookup
    // can only end by it. The cap (the first lookup's deadline) is never reached: the test answers that one.
    const client = new HttpKeystoreClient({
      keystoreUrl: keystore.url,
      serviceToken: 't',
      timeoutMs: 1,
      timeoutMaxMs: 60_000,
    });
    open.push(client);
    const warm = client.lookup(makeTestKey().hash);
    await until(keystore.changes, () => keystore.held.length === 1, 'holding the first lookup');
    keystore.answer(keystore.held[0]!);
    await warm;
    const learned = client.timeoutMs;
    const late = client.lookup(makeTestKey().hash);
    await until(keystore.changes, () => keystore.held.length === 2, 'holding the second lookup');
    expect(await late).toEqual({ kind: 'error', error: 'timeout' });
    // The keystore answers after its caller was told `timeout`: the deadline still takes that round trip.
    keystore.answer(keystore.held[1]!);
    await vi.waitFor(() => expect(client.timeoutMs).toBeGreaterThan(learned), { timeout: 8_000 });
  });
});
