import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KeystoreUsageSink } from './keystore-usage-sink.ts';

const TOKEN = 'test-service-token';
const ENTRY = { keyId: 'key_1', requests: 3, rateLimited: 1, lastUsedAt: '2026-01-01T00:00:00.000Z' };

interface Replica {
  url: string;
  /** The batches it received (parsed bodies), whatever it answered. */
  batches: unknown[];
  status: number;
  server: Server;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A stand-in for one replica's `POST /internal/v1/usage`, answering `status`. */
async function replica(status: number): Promise<Replica> {
  const batches: unknown[] = [];
  const self: Replica = { url: '', batches, status, server: createServer() };
  self.server.on('request', async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    if (req.url === '/internal/v1/usage' && req.headers.authorization === `Bearer ${TOKEN}`)
      batches.push(JSON.parse(body));
    res.writeHead(self.status, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => self.server.listen(0, '127.0.0.1', resolve));
  servers.push(self.server);
  self.url = `http://127.0.0.1:${(self.server.address() as AddressInfo).port}`;
  return self;
}

async function closed(): Promise<string> {
  const gone = await replica(202);
  servers.splice(servers.indexOf(gone.server), 1);
  await new Promise((resolve) => gone.server.close(resolve));
  return gone.url;
}

/**
 * Every replica here answers or refuses at once: the timeout is never the subject, so it is far above what a
 * local POST takes on a loaded machine (500 ms was missed at load 13, and the batch went to the next replica).
 */
const ANSWERS_WITHIN_MS = 5_000;
const sink = (urls: string[]) =>
  new KeystoreUsageSink({ keystoreUrls: urls, serviceToken: TOKEN, timeoutMs: ANSWERS_WITHIN_MS });

describe('KeystoreUsageSink', () => {
  it('posts the batch to the first replica', async () => {
    const [a, b] = [await replica(202), await replica(202)];
    await sink([a.url, b.url]).send([ENTRY]);
    expect(a.batches).toEqual([{ entries: [ENTRY] }]);
    expect(b.batches).toEqual([]);
  });

  it('moves on to the next replica when one is gone or answers 5xx, and stays there', async () => {
    const [failing, b] = [await replica(503), await replica(202)];
    const usage = sink([await closed(), failing.url, b.url]);
    await usage.send([ENTRY]);
    await usage.send([ENTRY]);
    expect(failing.batches).toHaveLength(1);
    expect(b.batches).toEqual([{ entries: [ENTRY] }, { entries: [ENTRY] }]);
  });

  it('fails when no replica takes it (the recorder merges it back), naming no URL', async () => {
    const [a, b] = [await replica(500), await replica(503)];
    await expect(sink([a.url, b.url]).send([ENTRY])).rejects.toThrow(
      'no keystore replica took the usage batch (last answer: 503)',
    );
  });

  it('does not pass a refused batch (4xx) on to another replica', async () => {
    const [a, b] = [await replica(401), await replica(202)];
    await expect(sink([a.url, b.url]).send([ENTRY])).rejects.toThrow('(last answer: 401)');
    expect(b.batches).toEqual([]);
  });
});
