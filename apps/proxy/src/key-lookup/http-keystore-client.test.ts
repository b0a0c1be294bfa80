import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { makeTestKey } from '@routemcp/api-key/testing';
import { describe, expect, it } from 'vitest';
import { HttpKeystoreClient } from './http-keystore-client.ts';
import { FakeKeystore, type FakeKeyData } from '../testing/fake-keystore.ts';

const data: FakeKeyData = {
  id: 'key_1',
  accountId: 'acct_1',
  environment: 'live',
  status: 'active',
  expiresAt: '2026-12-01T00:00:00.000Z',
  rateLimit: { capacity: 100, refillPerSecond: 10 },
};

function client(keystore: FakeKeystore, timeoutMs = 200, token = keystore.token) {
  return new HttpKeystoreClient({ keystoreUrl: keystore.url, serviceToken: token, timeoutMs });
}

describe('HttpKeystoreClient', () => {
  it('returns the record of a known hash, with expiresAt as epoch ms', async () => {
    await using keystore = await new FakeKeystore().listen();
    const { hash } = makeTestKey('live');
    keystore.records.set(hash, data);
    expect(await client(keystore).lookup(hash)).toEqual({
      kind: 'found',
      status: 'active',
      record: {
        id: 'key_1',
        accountId: 'acct_1',
        environment: 'live',
        expiresAt: Date.UTC(2026, 11, 1),
        rateLimit: data.rateLimit,
      },
    });
  });

  it('returns not-found on 404', async () => {
    await using keystore = await new FakeKeystore().listen();
    expect(await client(keystore).lookup(makeTestKey().hash)).toEqual({ kind: 'not-found' });
  });

  it.each([
    ['error-500', 'server_error'],
    ['bad-json', 'body'],
    ['wrong-shape', 'body'],
    ['hang', 'timeout'],
    ['stall-body', 'timeout'],
  ] as const)('turns %s into an error (%s)', async (mode, error) => {
    await using keystore = await new FakeKeystore().listen();
    keystore.mode = mode;
    expect(await client(keystore, 100).lookup(makeTestKey().hash)).toEqual({ kind: 'error', error });
  });

  it('turns a wrong service token (401) into an error, not a not-found', async () => {
    await using keystore = await new FakeKeystore().listen();
    expect(await client(keystore, 200, 'wrong').lookup(makeTestKey().hash)).toEqual({
      kind: 'error',
      error: 'rejected',
    });
  });

  it('holds at most maxConnections sockets open at once however many lookups wait', async () => {
    const sockets = new Set<Socket>();
    let mostOpen = 0;
    const server = createHttpServer(() => {}); // never answers
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      mostOpen = Math.max(mostOpen, sockets.size);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const bounded = new HttpKeystoreClient({
      keystoreUrl: `http://127.0.0.1:${port}`,
      serviceToken: 't',
      timeoutMs: 300,
      maxConnections: 4,
    });
    const results = await Promise.all(Array.from({ length: 50 }, () => bounded.lookup(makeTestKey().hash)));
    expect(new Set(results.map((result) => JSON.stringify(result)))).toEqual(
      new Set([JSON.stringify({ kind: 'error', error: 'timeout' })]),
    );
    expect(mostOpen).toBe(4);
    await bounded.close();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('turns a refused connection into an error', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const refused = new HttpKeystoreClient({
      keystoreUrl: `http://127.0.0.1:${port}`,
      serviceToken: 't',
      timeoutMs: 1000,
    });
    expect(await refused.lookup(makeTestKey().hash)).toEqual({ kind: 'error', error: 'connection' });
  });
});
