import { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { makeTestKey } from '@routemcp/api-key/testing';
import { describe, expect, it } from 'vitest';
import { HttpKeystoreClient } from './http-keystore-client.ts';
import { FakeKeystore, type FakeKeyData } from '../testing/fake-keystore.ts';
import { until } from '../testing/until.ts';

const data: FakeKeyData = {
  id: 'key_1',
  accountId: 'acct_1',
  environment: 'live',
  status: 'active',
  expiresAt: '2026-12-01T00:00:00.000Z',
  rateLimit: { capacity: 100, refillPerSecond: 10 },
};

/**
 * The timeout of a client whose keystore answers: never the thing under test, so far above what a local
 * exchange takes on a loaded machine (yet under the test's own 10 s, so a lost answer fails as an assertion).
 */
const ANSWERS_WITHIN_MS = 5_000;
/** The timeout of a client whose keystore never finishes answering: only the timeout can end its call. */
const NEVER_ANSWERS_MS = 100;

function client(keystore: FakeKeystore, { timeoutMs = ANSWERS_WITHIN_MS, token = keystore.token } = {}) {
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
  ] as const)('turns %s into an error (%s)', async (mode, error) => {
    await using keystore = await new FakeKeystore().listen();
    keystore.mode = mode;
    expect(await client(keystore).lookup(makeTestKey().hash)).toEqual({ kind: 'error', error });
  });

  it.each(['hang', 'stall-body'] as const)('turns %s into a timeout', async (mode) => {
    await using keystore = await new FakeKeystore().listen();
    keystore.mode = mode;
    const timeoutMs = NEVER_ANSWERS_MS;
    expect(await client(keystore, { timeoutMs }).lookup(makeTestKey().hash)).toEqual({
      kind: 'error',
      error: 'timeout',
    });
  });

  it('turns a wrong service token (401) into an error, not a not-found', async () => {
    await using keystore = await new FakeKeystore().listen();
    expect(await client(keystore, { token: 'wrong' }).lookup(makeTestKey().hash)).toEqual({
      kind: 'error',
      error: 'rejected',
    });
  });

  it('holds at most maxConnections sockets open at once however many lookups wait', async () => {
    const connections = new EventEmitter();
    let opened = 0;
    let mostOpen = 0;
    const sockets = new Set<Socket>();
    const held: ServerResponse[] = [];
    let answering = false;
    const notFound = (res: ServerResponse) => res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
    // Holds every request until the pool has all the sockets it may open, then answers each one (keep-alive):
    // the 50 lookups can only get through the sockets the pool opened, so a 5th socket would show here.
    const server = createHttpServer((_req, res) => {
      if (answering) return notFound(res);
      held.push(res);
      connections.emit('change');
    });
    server.on('connection', (socket: Socket) => {
      opened++;
      sockets.add(socket);
      mostOpen = Math.max(mostOpen, sockets.size);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const bounded = new HttpKeystoreClient({
      keystoreUrl: `http://127.0.0.1:${port}`,
      serviceToken: 't',
      timeoutMs: ANSWERS_WITHIN_MS,
      maxConnections: 4,
    });
    const results = Promise.all(Array.from({ length: 50 }, () => bounded.lookup(makeTestKey().hash)));
    await until(connections, () => held.length >= 4, 'holding 4 requests');
    answering = true;
    for (const res of held) notFound(res);
    expect(new Set((await results).map((result) => JSON.stringify(result)))).toEqual(
      new Set([JSON.stringify({ kind: 'not-found' })]),
    );
    expect({ opened, mostOpen, held: held.length }).toEqual({ opened: 4, mostOpen: 4, held: 4 });
    await bounded.close();
    server.closeAllConnections();
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
      timeoutMs: ANSWERS_WITHIN_MS,
    });
    expect(await refused.lookup(makeTestKey().hash)).toEqual({ kind: 'error', error: 'connection' });
  });
});
