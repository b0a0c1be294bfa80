import * as apiKey from '@routemcp/api-key';
import { makeTestKey } from '@routemcp/api-key/testing';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startProxy, type ProxyHarness } from '../testing/proxy-harness.ts';
import { startRecordingUpstream, type RecordingUpstream } from '../testing/recording-upstream.ts';

// Counts SHA-256 digests of keys wherever the proxy takes them.
vi.mock('@routemcp/api-key', async (original) => {
  const actual = await original<typeof apiKey>();
  return { ...actual, hash: vi.fn(actual.hash) };
});

let upstream: RecordingUpstream;
let proxy: ProxyHarness;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  proxy = await startProxy({ upstreamUrl: upstream.url });
});

afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

/** One keep-alive connection: every request of a test goes over the same socket. */
async function overOneConnection(run: (get: (key: string) => Promise<number>) => Promise<void>): Promise<void> {
  const agent = new Agent({ connections: 1, pipelining: 1 });
  const sockets = new Set<unknown>();
  const get = async (key: string) => {
    const res = await request(`${proxy.url}/api/v1/contacts`, {
      dispatcher: agent,
      headers: { authorization: `Bearer ${key}` },
    });
    await res.body.text();
    return res.statusCode;
  };
  proxy.servers.server.on('connection', (socket) => sockets.add(socket));
  try {
    await run(get);
    expect(sockets.size).toBe(1);
  } finally {
    await agent.close();
  }
}

describe('a keep-alive connection that repeats its key', () => {
  it('has it hashed once, and still asks the verifier on every request', async () => {
    const { key } = makeTestKey('live');
    proxy.verifier.add(key, { environment: 'live' });
    const lookups = proxy.verifier.lookups.length;
    vi.mocked(apiKey.hash).mockClear();
    await overOneConnection(async (get) => {
      for (let i = 0; i < 5; i++) expect(await get(key)).toBe(200);
    });
    expect(vi.mocked(apiKey.hash)).toHaveBeenCalledTimes(1);
    expect(proxy.verifier.lookups.length - lookups).toBe(5);
  });

  it('is refused on the very next request once the key is revoked', async () => {
    const { key } = makeTestKey('live');
    proxy.verifier.add(key, { environment: 'live' });
    await overOneConnection(async (get) => {
      expect(await get(key)).toBe(200);
      proxy.verifier.revoke(key);
      expect(await get(key)).toBe(401);
    });
  });

  it('is answered for the key it sends now when it switches keys', async () => {
    const valid = makeTestKey('live');
    const unknown = makeTestKey('live');
    proxy.verifier.add(valid.key, { environment: 'live' });
    await overOneConnection(async (get) => {
      expect(await get(valid.key)).toBe(200);
      expect(await get(unknown.key)).toBe(401);
      expect(await get(valid.key)).toBe(200);
    });
  });
});
